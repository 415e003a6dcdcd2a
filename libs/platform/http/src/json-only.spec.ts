import Fastify, { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { NDJSON_MEDIA_TYPE, acceptJsonBodiesOnly, streamedBody } from './json-only';
import { toProblem } from './problem';

async function app(): Promise<FastifyInstance> {
  const f = Fastify();
  acceptJsonBodiesOnly(f, (url) => url.startsWith('/form'));
  f.setErrorHandler((err, _req, reply) => {
    const body = toProblem(err);
    void reply.code(body.status).send(body);
  });
  f.post('/json', async (req) => ({ body: req.body }));
  f.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, { form: body }));
  f.post('/form', async (req) => ({ body: req.body }));
  f.post('/stream', { config: streamedBody(NDJSON_MEDIA_TYPE) }, async (req) => {
    const body = req.body as Readable;
    let bytes = 0;
    for await (const chunk of body) bytes += (chunk as Buffer).length;
    return { streamed: body instanceof Readable, bytes };
  });
  await f.ready();
  return f;
}

describe('JSON-only request bodies with per-route streamed bodies', () => {
  let f: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    f = await app();
    base = await f.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => f.close());

  // A real socket: light-my-request's inject cannot be loaded under jest (ESM-only dependency).
  const post = async (url: string, type: string | undefined, payload: string) => {
    const res = await fetch(base + url, { method: 'POST', body: payload, headers: type ? { 'content-type': type } : {} });
    const text = await res.text();
    return { statusCode: res.status, json: () => JSON.parse(text) as unknown };
  };

  it('hands an NDJSON body to a route that opted in as an unread stream', async () => {
    const res = await post('/stream', 'application/x-ndjson; charset=utf-8', '{"a":1}\n{"b":2}\n');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ streamed: true, bytes: 16 });
  });

  it('refuses JSON and other types on a streamed route with 415', async () => {
    for (const type of ['application/json', 'text/plain', undefined]) {
      const res = await post('/stream', type, '{"a":1}');
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual(expect.objectContaining({ code: 'unsupported_media_type', detail: expect.stringContaining(NDJSON_MEDIA_TYPE) }));
    }
  });

  it('keeps every other route JSON-only: NDJSON is refused there, even empty', async () => {
    expect((await post('/json', 'application/json', '{"a":1}')).json()).toEqual({ body: { a: 1 } });
    expect((await post('/json', 'application/x-ndjson', '{"a":1}\n')).statusCode).toBe(415);
    expect((await post('/json', 'application/x-ndjson', '')).statusCode).toBe(415);
    expect((await post('/json', 'text/plain', 'x')).statusCode).toBe(415);
  });

  it('leaves exempt routes their own media types, but never hands them a stream', async () => {
    expect((await post('/form', 'application/x-www-form-urlencoded', 'a=1')).json()).toEqual({ body: { form: 'a=1' } });
    expect((await post('/form', 'application/x-ndjson', '{"a":1}\n')).statusCode).toBe(415);
  });
});
