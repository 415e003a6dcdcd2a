import { toString as renderQr } from 'qrcode';

/** An SVG QR code of `text` (e.g. an otpauth:// URI) as a data: URI, ready for an `<img src>`. */
export async function qrSvgDataUri(text: string): Promise<string> {
  // Level M (15% recovery) keeps a ~120-character otpauth URI at a size phones read from a screen at once.
  const svg = await renderQr(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
