import { DevMailbox } from './dev-mailbox';
import type { OutgoingMail } from './mailer';

const mail = (n: number, tenantId = 't1'): OutgoingMail => ({
  tenantId,
  to: `user${n}@example.com`,
  from: 'Keyline <no-reply@keyline.test>',
  subject: `Message ${n}`,
  text: `code ${n}`,
  html: `<p>code ${n}</p>`,
  template: 'sign-in-code',
});

describe('DevMailbox', () => {
  it('lists what it was sent, newest first, each with an id and the time it arrived', async () => {
    const box = new DevMailbox();
    const before = Date.now();
    await box.send(mail(1));
    await box.send(mail(2));
    const items = box.list();
    expect(items.map((m) => m.subject)).toEqual(['Message 2', 'Message 1']);
    expect(items[0]).toEqual(expect.objectContaining({ ...mail(2), id: expect.stringMatching(/^[0-9a-f-]{36}$/) }));
    expect(items[0].id).not.toBe(items[1].id);
    expect(items[0].receivedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('keeps only the last 200 messages', async () => {
    const box = new DevMailbox();
    for (let n = 1; n <= 205; n++) await box.send(mail(n));
    const items = box.list();
    expect(items).toHaveLength(200);
    expect(items[0].subject).toBe('Message 205');
    expect(items[199].subject).toBe('Message 6');
  });

  it('wraps around its buffer more than once and stays in order', async () => {
    const box = new DevMailbox(undefined, 3);
    for (let n = 1; n <= 8; n++) await box.send(mail(n));
    expect(box.list().map((m) => m.subject)).toEqual(['Message 8', 'Message 7', 'Message 6']);
  });

  it('finds a message by id until it is pushed out', async () => {
    const box = new DevMailbox(undefined, 2);
    await box.send(mail(1));
    const first = box.list()[0];
    expect(box.get(first.id)).toBe(first);
    await box.send(mail(2));
    await box.send(mail(3));
    expect(box.get(first.id)).toBeUndefined();
    expect(box.get('no-such-id')).toBeUndefined();
  });

  it("lists one tenant's messages only when asked", async () => {
    const box = new DevMailbox();
    await box.send(mail(1, 'a'));
    await box.send(mail(2, 'b'));
    await box.send(mail(3, 'a'));
    expect(box.list('a').map((m) => m.subject)).toEqual(['Message 3', 'Message 1']);
    expect(box.list('c')).toEqual([]);
  });

  it('keeps its own copy of the headers', async () => {
    const box = new DevMailbox();
    const msg = { ...mail(1), headers: { 'Auto-Submitted': 'auto-generated' } };
    await box.send(msg);
    msg.headers['Auto-Submitted'] = 'changed';
    expect(box.list()[0].headers).toEqual({ 'Auto-Submitted': 'auto-generated' });
  });

  it('is empty after clear', async () => {
    const box = new DevMailbox();
    await box.send(mail(1));
    box.clear();
    expect(box.list()).toEqual([]);
    await box.send(mail(2));
    expect(box.list().map((m) => m.subject)).toEqual(['Message 2']);
  });

  it('logs who and what, never the recipient or a body', async () => {
    const lines: unknown[] = [];
    const logger = { info: (obj: unknown, msg: string) => lines.push([obj, msg]) } as never;
    await new DevMailbox(logger).send(mail(1));
    const logged = JSON.stringify(lines);
    expect(logged).toContain('"tenantId":"t1"');
    expect(logged).toContain('"template":"sign-in-code"');
    expect(logged).not.toContain('user1@example.com');
    expect(logged).not.toContain('code 1');
  });
});
