import { HOSTED_CSS, type Rgb, contrastRatio, themeColours, themeCss } from './styles';

const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
const PAGE: Rgb = [0xf3, 0xf4, 0xf6];

describe('themeCss', () => {
  it('sets the tenant colour, expanding #rgb', () => {
    expect(themeCss({ primaryColor: '#0A7' })).toContain('--kl-primary: #00aa77;');
    expect(themeCss({ primaryColor: '#123456' })).toContain('--kl-primary: #123456;');
  });

  it('falls back to the default for anything but a hex colour, so nothing can break out of the declaration', () => {
    for (const bad of [null, undefined, '', 'red', '#12345', 'rgb(0,0,0)', '#fff;} body { background: url(https://evil.test/x) }', '#ffffff\n}']) {
      expect(themeCss({ primaryColor: bad })).toBe(themeCss({}));
    }
    expect(themeCss({})).toContain('--kl-primary: #4f46e5;');
  });

  it('puts black or white text on the primary colour, whichever contrasts more', () => {
    expect(themeColours('#ffcc00').onPrimary).toBe('#000000');
    expect(themeColours('#1e3a8a').onPrimary).toBe('#ffffff');
    for (const colour of ['#ffcc00', '#1e3a8a', '#3b82f6', '#777777', '#ffffff', '#000000']) {
      const c = themeColours(colour);
      expect(contrastRatio(rgb(c.primary), rgb(c.onPrimary))).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(rgb(c.primaryHover), rgb(c.onPrimary))).toBeGreaterThanOrEqual(contrastRatio(rgb(c.primary), rgb(c.onPrimary)));
    }
  });

  it('darkens the accent (links, focus rings) until it reaches 4.5:1 on the page, and keeps dark brand colours', () => {
    for (const colour of ['#ffcc00', '#ffffff', '#3b82f6', '#10b981']) {
      expect(contrastRatio(rgb(themeColours(colour).accent), PAGE)).toBeGreaterThanOrEqual(4.5);
    }
    expect(themeColours('#1e3a8a').accent).toBe('#1e3a8a');
  });
});

describe('HOSTED_CSS', () => {
  it('shows focus, marks invalid fields, adapts to small screens and loads nothing', () => {
    expect(HOSTED_CSS).toContain(':focus-visible { outline: 3px solid var(--kl-accent)');
    expect(HOSTED_CSS).toContain('[aria-invalid="true"]');
    expect(HOSTED_CSS).toMatch(/@media \(max-width: [\d.]+rem\)/);
    expect(HOSTED_CSS).not.toMatch(/@import|url\(/);
  });

  it('defines the theme properties with the same defaults the theme uses', () => {
    for (const line of themeCss({}).split('\n').filter((l) => l.includes('--kl-'))) expect(HOSTED_CSS).toContain(line);
  });
});
