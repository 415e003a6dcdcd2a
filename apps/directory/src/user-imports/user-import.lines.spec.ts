import { LineCounter, RawLine, readLines } from './user-import.lines';

async function* chunked(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(text: string | Buffer, size: number, max = 1024): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const line of readLines(chunked(text, size), max)) out.push(line);
  return out;
}

function count(text: string, size: number): number {
  const c = new LineCounter();
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) c.push(buf.subarray(i, i + size));
  return c.total();
}

describe('NDJSON lines', () => {
  const text = '\uFEFF{"a":1}\r\n\n   \n{"b":"ü€𝄞"}\n\t\r\n{"c":3}';

  it.each([1, 2, 3, 7, 1024])('numbers non-blank lines from 1 like an editor, whatever the chunk size (%i bytes)', async (size) => {
    expect(await collect(text, size)).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 4, text: '{"b":"ü€𝄞"}' },
      { number: 6, text: '{"c":3}' },
    ]);
  });

  it.each([1, 3, 1024])('counts exactly the lines the reader yields (%i-byte chunks)', async (size) => {
    for (const t of [text, '', '\n\n', '{}', '{}\n', '  {}  \n\n{}\n \n', 'x'.repeat(5000)]) {
      expect(count(t, size)).toBe((await collect(t, size)).length);
    }
  });

  it('reports an over-long line without holding it, and goes on with the next', async () => {
    const lines = await collect(`{"ok":1}\n${'x'.repeat(5000)}\n{"ok":2}\n${'y'.repeat(2000)}`, 100, 1000);
    expect(lines).toEqual([
      { number: 1, text: '{"ok":1}' },
      { number: 2, text: null },
      { number: 3, text: '{"ok":2}' },
      { number: 4, text: null },
    ]);
  });
});
