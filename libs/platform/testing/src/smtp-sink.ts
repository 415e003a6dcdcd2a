import type { AddressInfo } from 'node:net';
import { type AddressObject, type HeaderValue, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it. */
export interface ReceivedMail {
  /** The envelope recipients (RCPT TO), which include Bcc. */
  to: string[];
  /** The From header as `Name <address>` (decoded, unquoted), or the envelope sender when there is none. */
  from: string;
  subject: string;
  text: string;
  /** The HTML part; empty when the message has none. */
  html: string;
  /** Header name (lower case) to its decoded value; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  /** The user name the client authenticated with (any is accepted); absent without AUTH. */
  user?: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT`; credentials may be added, any are accepted. */
  url: string;
  /** Everything received so far, oldest first. */
  messages: ReceivedMail[];
  /** The first message, received already or within `timeoutMs`, that `predicate` accepts. */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  /** Stops listening and drops open connections (senders see them closed). */
  close(): Promise<void>;
}

function headerText(value: HeaderValue | undefined, rawLine: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  if (value instanceof Date) return value.toUTCString();
  // Address and structured headers: their unfolded line as sent.
  return rawLine.slice(rawLine.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** `Name <address>` (decoded, unquoted) or the bare address, comma-separated. */
function addressText(header: AddressObject): string {
  return header.value.map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''))).join(', ');
}

/**
 * A real SMTP server on loopback for integration tests: plain text (no STARTTLS), authentication
 * optional (AUTH PLAIN and LOGIN accept any credentials), every message parsed and kept.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<{ predicate: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }>();

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    // Open (pooled) client connections must not hold close() for the default 30 s.
    closeTimeout: 50,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    onData: (stream, session, callback) => {
      simpleParser(stream).then(
        (parsed) => {
          const headers: Record<string, string> = {};
          for (const { key, line } of parsed.headerLines) {
            const value = headerText(parsed.headers.get(key), line);
            headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
          }
          const mailFrom = session.envelope.mailFrom;
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            from: parsed.from ? addressText(parsed.from) : mailFrom ? mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers,
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          };
          messages.push(mail);
          for (const w of waiters) {
            if (w.predicate(mail)) {
              waiters.delete(w);
              w.resolve(mail);
            }
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(predicate, timeoutMs = 10_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (m: ReceivedMail) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = messages.map((m) => `"${m.subject}" to ${m.to.join(', ')}`).join('; ') || 'none';
          reject(new Error(`no matching mail within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
