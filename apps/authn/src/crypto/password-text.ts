/**
 * The one normal form for comparing and measuring passwords: NFKC (NIST SP 800-63B §5.1.1.2), so that
 * the same password typed on another keyboard or OS (composed é or e + U+0301, fullwidth Ａ) is the same.
 */
export function normalisePassword(password: string): string {
  return isAscii(password) ? password : password.normalize('NFKC');
}

/** NFKC, then lower case: the form that lists of common passwords and identifiers are compared in. */
export function foldPassword(password: string): string {
  return normalisePassword(password).toLowerCase();
}

/** Length in Unicode code points, so that an emoji counts as one character, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; a lone surrogate counts as one.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

// ASCII is its own NFKC form; skipping ICU for it makes loading the common password list ~2x faster.
const NON_ASCII = /[\u0080-\uffff]/;

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
