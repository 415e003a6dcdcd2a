import { describeServiceBaseline, freePort, readiness, startServiceProcess } from '@keyline/platform-testing';

describeServiceBaseline({ service: 'authn', dependencies: ['database', 'redis', 'kafka'], tables: ['outbox_events', 'processed_events'] }, ({ env }) => {
  it('reports 503 naming Redis when Redis does not answer', async () => {
    const broken = await startServiceProcess('authn', { ...env(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const h = await readiness(broken.url);
      expect(h.status).toBe(503);
      expect(h.body.details?.redis?.status).toBe('down');
      expect(h.body.details?.database?.status).toBe('up');
    } finally {
      await broken.kill();
    }
  });
});
