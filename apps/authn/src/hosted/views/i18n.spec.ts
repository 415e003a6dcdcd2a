import { CATALOGUES, ERROR_CODES, errorMessage, negotiateLocale, t } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('negotiateLocale', () => {
  it('takes the first supported ui_locales tag over Accept-Language', () => {
    expect(negotiateLocale('fr-CA de-CH en', 'en-US,en;q=0.9')).toBe('de');
    expect(negotiateLocale('en', 'de')).toBe('en');
  });

  it('falls back to Accept-Language by q-value, keeping the client order for equal weights', () => {
    expect(negotiateLocale(undefined, 'fr;q=0.9, en;q=0.5, de-AT;q=0.8')).toBe('de');
    expect(negotiateLocale('fr ja', 'de, en')).toBe('de');
    expect(negotiateLocale('', 'DE-de;q=1, en;q=1')).toBe('de');
    expect(negotiateLocale(undefined, 'de;q=0, en;q=0.1')).toBe('en');
  });

  it('defaults to English for nothing, unsupported or malformed input', () => {
    expect(negotiateLocale()).toBe('en');
    expect(negotiateLocale('fr', 'ja, *;q=0.1')).toBe('en');
    expect(negotiateLocale(undefined, 'de;q=abc')).toBe('en');
  });
});

describe('catalogues', () => {
  it('have the same keys and the same placeholders in every locale', () => {
    const { en, de } = CATALOGUES;
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect([key, placeholders(de[key])]).toEqual([key, placeholders(en[key])]);
    }
  });

  it('translate into German rather than copying English', () => {
    const { en, de } = CATALOGUES;
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === de[k]);
    expect(same.sort()).toEqual(['account.name', 'field.code', 'form.optional']); // the same word in both languages
  });

  it('fill placeholders, formatting numbers for the locale, and leave unknown ones visible', () => {
    expect(t('de', 'account.recovery_left.other', { count: 1234 })).toBe('Noch 1.234 Wiederherstellungscodes übrig');
    expect(t('en', 'code.sent', {})).toBe('We sent a code to {email}.');
  });
});

describe('errorMessage', () => {
  it('has a text for every error code in every locale', () => {
    for (const locale of ['en', 'de'] as const) {
      for (const code of ERROR_CODES) expect(errorMessage(locale, { code })).not.toBe(t(locale, 'error.generic'));
    }
  });

  it('tells how long to wait when it knows, in words of the locale', () => {
    expect(errorMessage('en', { code: 'too_many_attempts', vars: { retryAfterSeconds: 30 } })).toBe('Too many attempts. Please try again in 30 seconds.');
    expect(errorMessage('de', { code: 'too_many_attempts', vars: { retryAfterSeconds: 61 * 15 } })).toBe(
      'Zu viele Versuche. Bitte versuchen Sie es in 16 Minuten erneut.',
    );
    expect(errorMessage('en', { code: 'too_many_attempts' })).toBe('Too many attempts. Please try again later.');
  });

  it('takes variables from the error over page defaults, and a generic text for unknown codes', () => {
    expect(errorMessage('en', { code: 'password_too_short' }, { min: 12 })).toBe('Use at least 12 characters.');
    expect(errorMessage('en', { code: 'password_too_short', vars: { min: 8 } }, { min: 12 })).toBe('Use at least 8 characters.');
    expect(errorMessage('de', { code: 'no_such_code' as never })).toBe('Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.');
  });
});
