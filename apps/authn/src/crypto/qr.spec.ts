import { qrSvgDataUri } from './qr';

describe('QR code as an SVG data URI', () => {
  it('encodes an SVG image in base64', async () => {
    const uri = await qrSvgDataUri('otpauth://totp/Keyline:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Keyline');
    const [prefix, body] = uri.split(',');
    expect(prefix).toBe('data:image/svg+xml;base64');
    const svg = Buffer.from(body, 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/<\/svg>\s*$/);
    expect(svg).toContain('<path');
  });

  it('draws different codes for different text', async () => {
    expect(await qrSvgDataUri('a')).not.toBe(await qrSvgDataUri('b'));
  });
});
