export type Rgb = readonly [number, number, number];

const DEFAULT_RGB: Rgb = [0x4f, 0x46, 0xe5];
// The page background; links and focus rings in the accent colour must stand out against it.
const PAGE_BACKGROUND: Rgb = [0xf3, 0xf4, 0xf6];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

const rgb = (channel: (i: 0 | 1 | 2) => number): Rgb => [channel(0), channel(1), channel(2)];
const toHex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const mix = (a: Rgb, b: Rgb, weightOfB: number) => rgb((i) => a[i] + (b[i] - a[i]) * weightOfB);

/** `#rrggbb` or `#rgb`; anything else (names, functions, injection attempts) is rejected. */
function parseColour(value: string | null | undefined): Rgb | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  return rgb((i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** Relative luminance as WCAG 2.2 defines it (sRGB). */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, from 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Per-tenant colours: the brand colour where it stays readable, darkened where it would not. */
export function themeColours(primaryColor?: string | null) {
  const primary = parseColour(primaryColor) ?? DEFAULT_RGB;
  const onPrimary = contrastRatio(primary, WHITE) >= contrastRatio(primary, BLACK) ? WHITE : BLACK;
  // Hovering moves the button away from its text colour, so the label only gains contrast.
  const hover = mix(primary, onPrimary === WHITE ? BLACK : WHITE, 0.15);
  // Links and focus rings sit on the page: darken the brand colour until it reaches 4.5:1 there.
  let accent = primary;
  for (let w = 0.1; contrastRatio(accent, PAGE_BACKGROUND) < 4.5; w += 0.1) accent = mix(primary, BLACK, Math.min(w, 1));
  return { primary: toHex(primary), primaryHover: toHex(hover), onPrimary: toHex(onPrimary), accent: toHex(accent) };
}

function themeProperties(c: ReturnType<typeof themeColours>): string {
  return `  --kl-primary: ${c.primary};\n  --kl-primary-hover: ${c.primaryHover};\n  --kl-on-primary: ${c.onPrimary};\n  --kl-accent: ${c.accent};\n`;
}

/** The static stylesheet of every hosted page, served as `{basePath}/assets/hosted.css`. */
export const HOSTED_CSS = `:root {
${themeProperties(themeColours())}  --kl-bg: #f3f4f6;
  --kl-surface: #ffffff;
  --kl-text: #111827;
  --kl-muted: #4b5563;
  --kl-border: #6b7280;
  --kl-divider: #e5e7eb;
  --kl-danger: #b91c1c;
  --kl-danger-bg: #fef2f2;
  --kl-success: #166534;
  --kl-radius: 0.5rem;
  --kl-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --kl-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--kl-bg); color: var(--kl-text); font: 1rem/1.5 var(--kl-font); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1.5rem; }
h2 { font-size: 1.125rem; line-height: 1.3; margin: 2rem 0 0.5rem; }
p { margin: 0 0 1rem; }
a { color: var(--kl-accent); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
code { font-family: var(--kl-mono); }
:focus-visible { outline: 3px solid var(--kl-accent); outline-offset: 2px; }

.kl-skip { position: absolute; left: 1rem; top: -10rem; z-index: 1; padding: 0.75rem 1rem; border-radius: var(--kl-radius); background: var(--kl-surface); font-weight: 600; }
.kl-skip:focus { top: 1rem; }
.kl-page { display: flex; flex-direction: column; align-items: center; gap: 1.5rem; min-height: 100vh; padding: 2rem 1rem; }
.kl-header { display: flex; justify-content: center; }
.kl-logo { display: block; width: auto; height: auto; max-width: 12rem; max-height: 3rem; }
.kl-brand { margin: 0; font-size: 1.25rem; font-weight: 700; }
.kl-main { width: 100%; max-width: 28rem; padding: 2rem; border: 1px solid var(--kl-divider); border-radius: calc(2 * var(--kl-radius)); background: var(--kl-surface); box-shadow: 0 1px 3px rgb(0 0 0 / 0.08); }
.kl-main:focus { outline: none; }
.kl-footer { color: var(--kl-muted); font-size: 0.9375rem; }
.kl-footer ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
.kl-footer a[aria-current] { color: var(--kl-text); font-weight: 600; text-decoration: none; }

.kl-field { margin: 0 0 1.25rem; }
.kl-field > label { display: block; margin-bottom: 0.25rem; font-weight: 600; }
.kl-optional { color: var(--kl-muted); font-weight: 400; }
.kl-hint { margin: 0 0 0.375rem; color: var(--kl-muted); font-size: 0.9375rem; }
.kl-field-error { margin: 0 0 0.375rem; color: var(--kl-danger); font-weight: 600; }
.kl-field input:not([type="checkbox"]), .kl-field select {
  display: block; width: 100%; min-height: 2.75rem; padding: 0.5rem 0.75rem;
  border: 1px solid var(--kl-border); border-radius: var(--kl-radius); background: var(--kl-surface); color: inherit; font: inherit;
}
.kl-field [aria-invalid="true"] { border: 2px solid var(--kl-danger); }
.kl-check { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.25rem 0.625rem; }
.kl-check input { flex: none; width: 1.25rem; height: 1.25rem; margin: 0.125rem 0 0; accent-color: var(--kl-accent); }
.kl-check label { flex: 1; }
.kl-check .kl-field-error { flex-basis: 100%; }

.kl-button {
  display: inline-flex; align-items: center; justify-content: center; width: 100%; min-height: 2.75rem; padding: 0.625rem 1rem;
  border: 1px solid var(--kl-accent); border-radius: var(--kl-radius); background: var(--kl-primary); color: var(--kl-on-primary);
  font: inherit; font-weight: 600; text-align: center; text-decoration: none; cursor: pointer;
}
.kl-button:hover { background: var(--kl-primary-hover); }
.kl-button-secondary { border-color: var(--kl-border); background: var(--kl-surface); color: var(--kl-text); }
.kl-button-secondary:hover { background: var(--kl-bg); }
.kl-secondary-form { margin-top: 1rem; }
.kl-links { display: grid; gap: 0.5rem; margin: 1.5rem 0 0; padding: 0; list-style: none; text-align: center; }

.kl-error { margin: 0 0 1.5rem; padding: 0.75rem 1rem; border: 2px solid var(--kl-danger); border-radius: var(--kl-radius); background: var(--kl-danger-bg); }
.kl-error > :last-child { margin-bottom: 0; }
.kl-error ul { margin: 0; padding-left: 1.25rem; }
.kl-error a { color: var(--kl-danger); font-weight: 600; }
.kl-notice { margin: 0 0 1.5rem; padding: 0.75rem 1rem; border-left: 4px solid var(--kl-success); background: var(--kl-bg); }

.kl-qr { display: block; width: 12.5rem; height: 12.5rem; margin: 0 auto 1rem; padding: 0.5rem; background: #ffffff; image-rendering: pixelated; }
.kl-secret { display: block; padding: 0.5rem 0.75rem; border-radius: var(--kl-radius); background: var(--kl-bg); font-size: 1.125rem; word-spacing: 0.4em; overflow-wrap: anywhere; }
.kl-codes { columns: 2; column-gap: 2rem; margin: 0 0 1.5rem; padding-left: 2rem; font-size: 1.0625rem; }
.kl-details { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
.kl-details dt { font-weight: 600; }
.kl-details dd { margin: 0; overflow-wrap: anywhere; }
.kl-badge { display: inline-block; padding: 0 0.5rem; border: 1px solid var(--kl-border); border-radius: 999px; color: var(--kl-muted); font-size: 0.8125rem; }

@media (max-width: 30rem) {
  .kl-page { gap: 1rem; padding: 1rem 0 0; }
  .kl-main { padding: 1.5rem 1rem; border-width: 1px 0; border-radius: 0; box-shadow: none; }
  .kl-codes { columns: 1; }
}
@media (forced-colors: active) {
  .kl-button, .kl-error, .kl-field [aria-invalid="true"] { border-color: CanvasText; }
}
@media print {
  body, .kl-main { background: #ffffff; box-shadow: none; border: 0; }
  .kl-skip, .kl-footer, form, .kl-button { display: none; }
}
`;

/** The per-tenant stylesheet (`{basePath}/assets/theme.css`): custom properties only, from validated colours. */
export function themeCss(branding: { primaryColor?: string | null }): string {
  return `:root {\n${themeProperties(themeColours(branding.primaryColor))}}\n`;
}
