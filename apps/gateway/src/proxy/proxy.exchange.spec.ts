import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { ProxyExchange } from './proxy.exchange';

class FakeReply {
  status = 0;
  set: Record<string, unknown> = {};
  sent: unknown = 'nothing';
  code(s: number) {
    this.status = s;
    return this;
  }
  headers(h: Record<string, unknown>) {
    Object.assign(this.set, h);
    return this;
  }
  send(payload?: unknown) {
    this.sent = payload;
    return this;
  }
}

class FakeController {
  paused = false;
  aborted: Error | undefined;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  abort(err: Error) {
    this.aborted = err;
  }
}

function setup(opts: { bodyless?: boolean; vary?: boolean } = {}) {
  const reply = new FakeReply();
  const events: string[] = [];
  const exchange = new ProxyExchange(
    reply as unknown as FastifyReply,
    { answered: () => events.push('answered'), failed: (e) => events.push(`failed:${e.message}`) },
    opts.bodyless ?? false,
    opts.vary ?? false,
  );
  const controller = new FakeController();
  exchange.onRequestStart(controller as unknown as Dispatcher.DispatchController);
  const c = controller as unknown as Dispatcher.DispatchController;
  return { reply, exchange, controller, c, events };
}

describe('ProxyExchange', () => {
  it('collects a small answer and sends it once, filtering headers', () => {
    const { reply, exchange, c, events } = setup({ vary: true });
    exchange.onResponseStart(c, 201, { 'content-length': '4', connection: 'keep-alive', 'content-type': 'application/json', vary: 'Accept' });
    exchange.onResponseData(c, Buffer.from('{"a'));
    exchange.onResponseData(c, Buffer.from('"}'));
    expect(reply.sent).toBe('nothing');
    exchange.onResponseEnd();
    expect(events).toEqual(['answered']);
    expect(reply.status).toBe(201);
    expect(reply.set).toEqual(expect.objectContaining({ 'content-type': 'application/json', vary: 'Accept, Origin' }));
    expect(reply.set.connection).toBeUndefined();
    expect(String(reply.sent)).toBe('{"a"}');
  });

  it('streams a large answer with backpressure and aborts the upstream when the client goes away', async () => {
    const { reply, exchange, controller, c } = setup();
    exchange.onResponseStart(c, 200, { 'content-length': String(10 * 1024 * 1024) });
    const stream = reply.sent as Readable;
    expect(stream).toBeInstanceOf(Readable);
    const big = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 4 && !controller.paused; i++) exchange.onResponseData(c, big);
    expect(controller.paused).toBe(true);
    stream.read();
    await new Promise((r) => setImmediate(r));
    expect(controller.paused).toBe(false);
    stream.destroy();
    await new Promise((r) => setImmediate(r));
    expect(controller.aborted).toBeInstanceOf(Error);
  });

  it('streams answers of unknown length to the end', async () => {
    const { reply, exchange, c } = setup();
    exchange.onResponseStart(c, 200, { 'transfer-encoding': 'chunked' });
    const stream = reply.sent as Readable;
    const received: Buffer[] = [];
    stream.on('data', (d: Buffer) => received.push(d));
    const ended = new Promise((r) => stream.on('end', r));
    exchange.onResponseData(c, Buffer.from('ab'));
    exchange.onResponseData(c, Buffer.from('cd'));
    exchange.onResponseEnd();
    await ended;
    expect(Buffer.concat(received).toString()).toBe('abcd');
    expect(reply.set['transfer-encoding']).toBeUndefined();
  });

  it('reports a failure before the answer as a failure, and cuts a started stream', () => {
    const early = setup();
    early.exchange.onResponseError(early.c, new Error('ECONNREFUSED'));
    expect(early.events).toEqual(['failed:ECONNREFUSED']);
    expect(early.reply.sent).toBe('nothing');

    const midBody = setup();
    midBody.exchange.onResponseStart(midBody.c, 200, { 'content-length': '10' });
    midBody.exchange.onResponseError(midBody.c, new Error('other side closed'));
    expect(midBody.events).toEqual(['answered', 'failed:other side closed']);

    const streaming = setup();
    streaming.exchange.onResponseStart(streaming.c, 200, {});
    const stream = streaming.reply.sent as Readable;
    stream.on('error', () => undefined);
    streaming.exchange.onResponseError(streaming.c, new Error('reset'));
    expect(stream.destroyed).toBe(true);
    expect(streaming.events).toEqual(['answered']);
  });

  it('sends no body for HEAD, 204 and 304', () => {
    for (const [bodyless, status] of [
      [true, 200],
      [false, 204],
      [false, 304],
    ] as const) {
      const { reply, exchange, c } = setup({ bodyless });
      exchange.onResponseStart(c, status, { 'content-length': '4096' });
      exchange.onResponseEnd();
      expect(reply.status).toBe(status);
      expect(reply.sent).toBeUndefined();
    }
  });
});
