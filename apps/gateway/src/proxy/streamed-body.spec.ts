import { PassThrough } from 'node:stream';
import { BodyTooLarge, LimitedBody } from './streamed-body';

async function drain(body: LimitedBody): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of body) bytes += (chunk as Buffer).length;
    return { bytes };
  } catch (error) {
    return { bytes, error };
  }
}

describe('streamed request bodies', () => {
  it('passes a body within the limit through unchanged', async () => {
    const source = new PassThrough();
    const body = new LimitedBody(source, 10);
    source.end(Buffer.from('0123456789'));
    expect(await drain(body)).toEqual({ bytes: 10 });
    expect(body.exceeded).toBe(false);
  });

  it('fails once the limit is passed, stops reading the client but leaves its socket alone', async () => {
    const source = new PassThrough();
    const body = new LimitedBody(source, 10);
    const result = drain(body);
    source.write(Buffer.alloc(6));
    source.write(Buffer.alloc(6));
    const { error } = await result;
    expect(error).toBeInstanceOf(BodyTooLarge);
    expect(body.exceeded).toBe(true);
    expect(source.destroyed).toBe(false);
    expect(source.isPaused()).toBe(true);
  });

  it('fails when the client breaks off mid-upload, so the upstream request is aborted', async () => {
    const source = new PassThrough();
    const body = new LimitedBody(source, 100);
    const result = drain(body);
    source.write(Buffer.alloc(5));
    source.destroy(new Error('ECONNRESET'));
    const { error } = await result;
    expect(error).toBeInstanceOf(Error);
    expect(body.exceeded).toBe(false);
  });
});
