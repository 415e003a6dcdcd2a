import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { OutgoingHeaders, clientResponseHeaders } from './headers';

/** Responses up to this size (with a Content-Length) are collected and sent in one write. */
const BUFFER_LIMIT = 128 * 1024;

type IncomingHeaders = Record<string, string | string[] | undefined>;

export interface ExchangeOutcome {
  /** The upstream answered (any status): it is alive. */
  answered(): void;
  /** The upstream failed before answering; the reply (given back) is still unsent. */
  failed(err: Error, reply: FastifyReply): void;
}

/**
 * One proxied exchange as an undici dispatch handler: no promise and no stream per request on the
 * common path. Small answers are collected and written at once; large or unsized ones are streamed
 * with backpressure (the upstream socket pauses while the client is slow).
 */
export class ProxyExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: OutgoingHeaders | undefined;
  private chunks: Buffer[] | undefined;
  private stream: Readable | undefined;
  private done = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly outcome: ExchangeOutcome,
    private readonly bodyless: boolean,
    private readonly vary: boolean,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHeaders): void {
    this.outcome.answered();
    this.status = statusCode;
    const out = clientResponseHeaders(headers);
    if (this.vary) {
      const v = out.vary;
      out.vary = v ? `${Array.isArray(v) ? v.join(', ') : v}, Origin` : 'Origin';
    }
    this.headers = out;
    if (this.bodyless || statusCode === 204 || statusCode === 304) return;
    const length = Number(headers['content-length']);
    if (length <= BUFFER_LIMIT) {
      this.chunks = [];
      return;
    }
    this.stream = new Readable({
      read: () => controller.resume(),
      destroy: (err, cb) => {
        if (!this.done) controller.abort(err ?? new Error('client went away'));
        cb(err);
      },
    });
    void this.reply.code(statusCode).headers(out).send(this.stream);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks) this.chunks.push(chunk);
    else if (this.stream && !this.stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.done = true;
    if (this.stream) {
      this.stream.push(null);
      return;
    }
    const reply = this.reply.code(this.status).headers(this.headers ?? {});
    const chunks = this.chunks;
    if (!chunks || chunks.length === 0) {
      // Fastify keeps a HEAD answer's Content-Length and omits it for 204/304, as HTTP wants.
      void reply.send();
      return;
    }
    void reply.send(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.done = true;
    if (this.stream) {
      // Headers are out: all that is left is to cut the response short.
      this.stream.destroy(err);
      return;
    }
    this.outcome.failed(err, this.reply);
  }
}
