import { type SmtpSink, startSmtpSink } from '@keyline/platform-testing';
import { type Browser, type Page, chromium } from 'playwright-core';
import { Authenticator, SUBJECT, codeOf, freshEmail, freshPassword, nextMail } from './support/authn';
import { type Platform, client, startPlatform, uniqueSlug } from './support/platform';

/** Debian's Chromium (deploy/scripts/infra.mjs installs it for `npm run test:int`). */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/keyline-sign-in.png';

/**
 * The hosted pages as a user meets them: a real Chromium signs up, confirms the address with the
 * mailed code, sets up an authenticator app, signs out and signs in again with password and TOTP.
 * Fields and buttons are found by their accessible names, so the labels are part of what is tested;
 * every page must get by without a single script and without console errors.
 */
describe('authn: the hosted pages in a real browser', () => {
  let sink: SmtpSink;
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  /** The tenant's issuer as the browser sees it: `{gateway}/t/{slug}`. */
  let issuer: string;
  /** Console errors and uncaught page errors, with the page they happened on. */
  const problems: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    platform = await startPlatform('e2e_authn_browser', { authnEnv: { SMTP_URL: sink.url } });
    const call = client(platform.gateway);
    const slug = uniqueSlug('browser');
    const created = await call('POST', '/v1/tenants', { key: platform.adminKey, json: { slug, name: 'Browser Co' } });
    if (created.status !== 201) throw new Error(`tenant not created: ${created.status} ${JSON.stringify(created.body)}`);
    const key = await call<{ key: string }>('POST', `/v1/tenants/${slug}/api-keys`, { key: platform.adminKey, json: { name: 'e2e-admin', scopes: ['admin'] } });
    if (key.status !== 201) throw new Error(`tenant key not created: ${key.status} ${JSON.stringify(key.body)}`);
    const patched = await call('PATCH', '/v1/authn-settings', { key: key.body.key, json: { branding: { primaryColor: '#0055aa' } } });
    if (patched.status !== 200) throw new Error(`branding not set: ${patched.status} ${JSON.stringify(patched.body)}`);
    issuer = `${platform.gateway}/t/${slug}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1024, height: 800 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      problems.push(`${page.url()}: console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await sink?.close();
  });

  /** The page's `<h1>`, once the browser is at `path` under the issuer. */
  async function at(path: string): Promise<string> {
    try {
      await page.waitForURL((u) => u.pathname === new URL(`${issuer}${path}`).pathname);
    } catch {
      const alert = await page.getByRole('alert').allInnerTexts();
      throw new Error(`expected ${path}, the browser is at ${page.url()} ("${await page.locator('h1').innerText()}"${alert.length ? `, alert: ${alert.join(' / ')}` : ''})`);
    }
    // Stylesheets too: a page counts as shown once it is rendered with them.
    await page.waitForLoadState('load');
    // Page-side expressions as strings: the project compiles without the DOM library.
    expect(await page.evaluate<number>("document.querySelectorAll('script').length")).toBe(0);
    expect(problems).toEqual([]);
    return page.locator('h1').innerText();
  }

  it('signs up, enrols TOTP and signs in again with a code', async () => {
    const email = freshEmail('browser');
    const password = freshPassword();

    // Sign up: the form, then the code the platform mails to the address.
    await page.goto(`${issuer}/sign-up`);
    expect(await at('/sign-up')).toBe('Create account');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await at('/verify-email')).toBe('Verify your email');
    const code = codeOf(await nextMail(sink, email, SUBJECT.verifyEmail));
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();

    // Signed in: the account page offers an authenticator app.
    expect(await at('/account')).toBe('Your account');
    await expect(page.locator('main').innerText()).resolves.toContain(email);
    await page.getByRole('link', { name: 'Set up authenticator app' }).click();
    expect(await at('/mfa/enrol')).toBe('Set up your authenticator app');
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    expect(await page.evaluate<boolean>("(i => i.complete && i.naturalWidth > 0)(document.querySelector('main img'))")).toBe(true);
    const app = new Authenticator((await page.locator('main code').innerText()).replace(/\s+/g, ''));
    expect(app.secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('Authentication code').fill(await app.next());
    await page.getByRole('button', { name: 'Activate' }).click();

    // The recovery codes, shown once; then back to the account with the app on.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await at('/mfa/enrol')).toBe('Save your recovery codes');
    const recoveryCodes = await page.locator('main ol li').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    await page.getByRole('link', { name: 'Continue' }).click();
    expect(await at('/account')).toBe('Your account');
    const account = await page.locator('main').innerText();
    expect(account).toContain('Authenticator app: on');
    expect(account).toContain('10 recovery codes left');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(await at('/sign-out')).toBe('You are signed out');

    // Signing in again now takes the password and a code from the app.
    await page.goto(`${issuer}/sign-in`);
    expect(await at('/sign-in')).toBe('Sign in');
    const submit = page.getByRole('button', { name: 'Sign in' });
    // The tenant's colour reaches the page through its theme stylesheet.
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('main button[type=submit]')).backgroundColor")).toBe('rgb(0, 85, 170)');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await submit.click();
    expect(await at('/mfa')).toBe('Two-step verification');
    // The next step's code: the one of enrolment is spent, and the server accepts one step ahead.
    await page.getByLabel('Authentication code').fill(await app.next());
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(await at('/account')).toBe('Your account');
    await expect(page.locator('main').innerText()).resolves.toContain('Authenticator app: on');
    expect(problems).toEqual([]);
  });
});
