/**
 * NDJSON line handling shared by the upload (counting) and the processing (reading), so that both agree
 * on what a line is: bytes up to `\n` (a trailing `\r` belongs to the break), blank when it holds only
 * spaces, tabs and `\r`. Splitting bytes on `\n` is safe for UTF-8: no multi-byte sequence contains it.
 *
 * Lines are split by hand rather than with `readline`, which has no limit on the length of a line: a
 * 500 MB file without a newline would otherwise be held in memory as one string.
 */

const LF = 10;

/** Whether `buf[start..end)` holds anything but spaces, tabs and carriage returns. */
function hasContent(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 32 && b !== 9 && b !== 13) return true;
  }
  return false;
}

/** Counts the non-blank lines of a byte stream fed chunk by chunk; O(lines), not O(bytes), for JSON lines. */
export class LineCounter {
  private content = false;
  private count = 0;

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl === -1 ? chunk.length : nl;
      // A JSON line's first byte is `{`: the scan stops at once.
      if (!this.content && hasContent(chunk, pos, end)) this.content = true;
      if (nl === -1) return;
      if (this.content) this.count++;
      this.content = false;
      pos = nl + 1;
    }
  }

  /** The count, including a last line without a final newline. */
  total(): number {
    return this.count + (this.content ? 1 : 0);
  }
}

/** A non-blank line: its 1-based number in the file and its text, or `null` when it exceeded the limit. */
export interface RawLine {
  number: number;
  text: string | null;
}

const BOM = '\uFEFF';

/**
 * The non-blank lines of a byte stream, numbered from 1 as an editor shows them (blank lines count).
 * A line longer than `maxBytes` is not kept in memory: it comes out with `text: null`.
 */
export async function* readLines(source: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let content = false;
  let number = 0;

  const take = (): RawLine | undefined => {
    number++;
    const line = tooLong ? null : Buffer.concat(parts, size).toString('utf8');
    const keep = content;
    parts = [];
    size = 0;
    tooLong = false;
    content = false;
    if (!keep) return undefined;
    if (line === null) return { number, text: null };
    let text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
    return { number, text };
  };

  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl === -1 ? chunk.length : nl;
      if (!content && hasContent(chunk, pos, end)) content = true;
      if (!tooLong) {
        if (size + (end - pos) > maxBytes) {
          tooLong = true;
          parts = [];
          size = 0;
        } else if (end > pos) {
          parts.push(chunk.subarray(pos, end));
          size += end - pos;
        }
      }
      if (nl === -1) break;
      const line = take();
      if (line) yield line;
      pos = nl + 1;
    }
  }
  if (content || size > 0 || tooLong) {
    const line = take();
    if (line) yield line;
  }
}
