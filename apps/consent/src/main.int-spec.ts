import { describeServiceBaseline, freePort, startServiceProcess } from '@keyline/platform-testing';

describeServiceBaseline({ service: 'consent', dependencies: ['database', 'kafka'], tables: ['outbox_events', 'processed_events'] }, ({ env }) => {
  it('refuses to start, loudly, when its database cannot be reached to migrate', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    await expect(startServiceProcess('consent', { ...env(), DATABASE_URL: url }, { timeoutMs: 15_000 })).rejects.toThrow(/exited with 1/);
  });
});
