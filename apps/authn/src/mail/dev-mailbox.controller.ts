import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PlatformErrorCode, PlatformException, Public } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { DevMailbox, StoredMail } from './dev-mailbox';
import { escapeHtml } from './mail.templates';

/**
 * Headers of every dev mailbox answer. The pages load nothing and style nothing, so the policy allows
 * nothing; mail content is shown as escaped text only, never as HTML.
 */
export const DEV_MAILBOX_HEADERS = {
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
} as const;

const e = escapeHtml;

const page = (title: string, body: string[]): string =>
  [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${e(title)}</title></head>`,
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');

const time = (d: Date): string => `<time datetime="${d.toISOString()}">${d.toISOString()}</time>`;

function listPage(items: StoredMail[], capacity: number): string {
  const rows = items.map(
    (m) =>
      `<tr><td>${time(m.receivedAt)}</td><td>${e(m.to)}</td><td><a href="mailbox/${encodeURIComponent(m.id)}">${e(m.subject || '(no subject)')}</a></td>` +
      `<td>${e(m.template)}</td><td>${e(m.tenantId)}</td></tr>`,
  );
  return page('Dev mailbox', [
    '<h1>Dev mailbox</h1>',
    `<p>${items.length} message(s), newest first. Only the last ${capacity} are kept, in memory; set SMTP_URL to send real mail.</p>`,
    '<table>',
    '<thead><tr><th>Received</th><th>To</th><th>Subject</th><th>Template</th><th>Tenant</th></tr></thead>',
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ]);
}

function messagePage(m: StoredMail): string {
  const headers = Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  return page(m.subject || '(no subject)', [
    '<p><a href="../mailbox">All messages</a></p>',
    `<h1>${e(m.subject || '(no subject)')}</h1>`,
    '<dl>',
    `<dt>From</dt><dd>${e(m.from)}</dd>`,
    `<dt>To</dt><dd>${e(m.to)}</dd>`,
    `<dt>Received</dt><dd>${time(m.receivedAt)}</dd>`,
    `<dt>Template</dt><dd>${e(m.template)}</dd>`,
    `<dt>Tenant</dt><dd>${e(m.tenantId)}</dd>`,
    ...(headers.length ? [`<dt>Headers</dt><dd><pre>${e(headers.join('\n'))}</pre></dd>`] : []),
    '</dl>',
    '<h2>Text</h2>',
    `<pre>${e(m.text)}</pre>`,
    '<h2>HTML source (not rendered)</h2>',
    `<pre>${e(m.html)}</pre>`,
  ]);
}

const secure = (reply: FastifyReply): FastifyReply => reply.headers(DEV_MAILBOX_HEADERS);

const oneString = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The dev mailbox: what authn would have mailed, for developers and local e2e runs. Registered only
 * when no SMTP server is configured outside production (MailModule), hence public.
 */
@ApiExcludeController()
@Public()
@Controller('dev')
export class DevMailboxController {
  constructor(private readonly mailbox: DevMailbox) {}

  @Get('mailbox')
  list(@Query('tenantId') tenantId: unknown, @Res({ passthrough: true }) reply: FastifyReply): string {
    secure(reply).type('text/html; charset=utf-8');
    return listPage(this.mailbox.list(oneString(tenantId)), this.mailbox.capacity);
  }

  @Get('mailbox.json')
  json(@Query('tenantId') tenantId: unknown, @Res({ passthrough: true }) reply: FastifyReply): { items: StoredMail[] } {
    secure(reply);
    return { items: this.mailbox.list(oneString(tenantId)) };
  }

  @Get('mailbox/:id')
  show(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    secure(reply);
    const m = this.mailbox.get(id);
    if (!m) throw new PlatformException(PlatformErrorCode.NotFound, 'No such message in the dev mailbox');
    reply.type('text/html; charset=utf-8');
    return messagePage(m);
  }
}
