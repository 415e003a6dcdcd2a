import { ConfigError, bool, int, list, loadConfig, optional, str, url } from './config';

const schema = {
  port: int('PORT', 'port', { default: 8080, min: 1, max: 65535 }),
  name: str('NAME', 'a required name'),
  secret: str('SECRET', 'a secret', { secret: true, default: 'x' }),
  debug: bool('DEBUG', 'debug', { default: false }),
  brokers: list('BROKERS', 'brokers', { default: ['a:1'] }),
  db: optional(url(['postgres'])('DATABASE_URL', 'db')),
};

describe('loadConfig', () => {
  it('applies defaults and parses values', () => {
    const c = loadConfig(schema, { NAME: 'n', DEBUG: 'yes', BROKERS: 'a:1, b:2,', PORT: '9000' });
    expect(c).toEqual({ port: 9000, name: 'n', secret: 'x', debug: true, brokers: ['a:1', 'b:2'], db: undefined });
  });

  it('lists every problem at once, hiding secret values', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig(schema, { PORT: '70000', DEBUG: 'maybe', SECRET: '', DATABASE_URL: 'mysql://x', NAME: undefined });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toHaveLength(4);
    expect(err!.message).toContain('PORT="70000": must be at most 65535');
    expect(err!.message).toContain('NAME is required');
    expect(err!.message).toContain('DEBUG="maybe": expected true or false');
    expect(err!.message).toContain('DATABASE_URL="mysql://x": expected a postgres URL');
  });

  it('never prints a secret value in a problem', () => {
    const s = { k: int('KEY', 'k', { default: 1 }), s: { ...str('TOKEN', 't', { secret: true }), parse: () => { throw new Error('bad'); } } };
    expect(() => loadConfig(s, { TOKEN: 'super-secret-value' })).toThrow(/TOKEN=<secret>: bad/);
    try {
      loadConfig(s, { TOKEN: 'super-secret-value' });
    } catch (e) {
      expect((e as Error).message).not.toContain('super-secret-value');
    }
  });
});
