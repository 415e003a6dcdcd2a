import { DevMailbox } from './dev-mailbox';
import { DEV_MAILBOX_HEADERS } from './dev-mailbox.controller';
import type { OutgoingMail } from './mailer';
import { MailApp, bootMailApp } from './mail.testing';

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  tenantId: 't1',
  to: 'alice@example.com',
  from: 'Acme <no-reply@acme.test>',
  subject: 'Your Acme sign-in code',
  text: 'Your code is 123456',
  html: '<p>Your code is <strong>123456</strong></p>',
  template: 'sign-in-code',
  ...over,
});

const EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

type Page = { status: number; headers: Headers; body: string };

describe('DevMailboxController', () => {
  let mailApp: MailApp;
  let box: DevMailbox;

  beforeAll(async () => {
    mailApp = await bootMailApp({ production: false, from: 'Keyline <no-reply@keyline.test>' });
    box = mailApp.app.get(DevMailbox);
  });
  afterAll(() => mailApp.app.close());
  beforeEach(() => box.clear());

  // No internal token and no principal header: the gateway-trust guard lets these routes through.
  const get = async (path: string): Promise<Page> => {
    const res = await mailApp.get(path);
    return { status: res.status, headers: res.headers, body: await res.text() };
  };

  it('lists messages newest first with recipient, subject, time and a link, without the gateway token', async () => {
    await box.send(mail({ subject: 'First' }));
    await box.send(mail({ subject: 'Second', to: 'bob@example.com' }));
    const [second, first] = box.list();
    const res = await get('/dev/mailbox');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.body.indexOf('Second')).toBeLessThan(res.body.indexOf('First'));
    expect(res.body).toContain(`<a href="mailbox/${second.id}">Second</a>`);
    expect(res.body).toContain(`<a href="mailbox/${first.id}">First</a>`);
    expect(res.body).toContain('bob@example.com');
    expect(res.body).toContain(`<time datetime="${second.receivedAt.toISOString()}">`);
  });

  it.each(['list', 'json', 'message'])('answers the %s page with a CSP that allows nothing, nosniff, no-store and no referrer', async (kind) => {
    await box.send(mail());
    const res = await get({ list: '/dev/mailbox', json: '/dev/mailbox.json', message: `/dev/mailbox/${box.list()[0].id}` }[kind]!);
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(DEV_MAILBOX_HEADERS)) expect(res.headers.get(name)).toBe(value);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe|style-src/);
  });

  it('escapes what a message holds in the list', async () => {
    await box.send(mail({ subject: `Hi ${EVIL}`, to: '"<b>x</b>"@example.com', tenantId: '<i>t</i>' }));
    const res = await get('/dev/mailbox');
    expect(res.body).not.toMatch(/<img|<script|<b>|<i>/);
    expect(res.body).toContain('Hi &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(res.body).toContain('&quot;&lt;b&gt;x&lt;/b&gt;&quot;@example.com');
  });

  it('shows one message with its text part escaped in <pre> and its HTML part never rendered', async () => {
    await box.send(mail({ subject: EVIL, text: `Code: 123456\n${EVIL}\n</pre><script>alert(3)</script>`, html: `<p>Code</p>${EVIL}` }));
    const res = await get(`/dev/mailbox/${box.list()[0].id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(
      '<pre>Code: 123456\n&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\n&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;</pre>',
    );
    expect(res.body).toContain('<pre>&lt;p&gt;Code&lt;/p&gt;&lt;img');
    expect(res.body).not.toMatch(/<img|<script|<p>Code/);
    // The page is made of these tags only: nothing from the message became markup.
    const tags = new Set([...res.body.matchAll(/<\/?([a-z0-9!]+)/gi)].map((m) => m[1].toLowerCase()));
    expect([...tags].sort()).toEqual(['!doctype', 'a', 'body', 'dd', 'dl', 'dt', 'h1', 'h2', 'head', 'html', 'meta', 'p', 'pre', 'time', 'title']);
  });

  it('answers 404 problem+json for a message it does not have', async () => {
    const res = await get('/dev/mailbox/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toEqual(expect.objectContaining({ code: 'not_found' }));
  });

  it('returns the messages as JSON, newest first, for one tenant when asked', async () => {
    await box.send(mail({ tenantId: 'a', subject: 'A1' }));
    await box.send(mail({ tenantId: 'b', subject: 'B1' }));
    await box.send(mail({ tenantId: 'a', subject: 'A2', headers: { 'Auto-Submitted': 'auto-generated' } }));
    const all = await get('/dev/mailbox.json');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/json/);
    const items = (JSON.parse(all.body) as { items: Record<string, unknown>[] }).items;
    expect(items.map((m) => m.subject)).toEqual(['A2', 'B1', 'A1']);
    expect(items[0]).toEqual({
      ...mail({ tenantId: 'a', subject: 'A2', headers: { 'Auto-Submitted': 'auto-generated' } }),
      id: box.list()[0].id,
      receivedAt: box.list()[0].receivedAt.toISOString(),
    });
    const onlyA = JSON.parse((await get('/dev/mailbox.json?tenantId=a')).body) as { items: { subject: string }[] };
    expect(onlyA.items.map((m) => m.subject)).toEqual(['A2', 'A1']);
    const page = await get('/dev/mailbox?tenantId=b');
    expect(page.body).toContain('B1');
    expect(page.body).not.toContain('A1');
  });
});
