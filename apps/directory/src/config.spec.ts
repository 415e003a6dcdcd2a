import { ConfigError, loadConfig } from '@keyline/platform-config';
import { directoryConfig } from './config';

describe('directory configuration', () => {
  it('defaults to port 8081, SQLite and a generated platform key', () => {
    const c = loadConfig(directoryConfig, {});
    expect(c.port).toBe(8081);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.platformAdminApiKey).toBeUndefined();
  });

  it('takes PLATFORM_ADMIN_API_KEY and never prints a rejected value', () => {
    expect(loadConfig(directoryConfig, { PLATFORM_ADMIN_API_KEY: 'kl_admin_0123456789abcdef' }).platformAdminApiKey).toBe('kl_admin_0123456789abcdef');
    for (const bad of ['kl_admin_short', 'not-a-keyline-key-at-all-000000', 'kl_admin_with a space inside', `kl_admin_${'x'.repeat(600)}`]) {
      let err: unknown;
      try {
        loadConfig(directoryConfig, { PLATFORM_ADMIN_API_KEY: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain('PLATFORM_ADMIN_API_KEY=<secret>');
      expect((err as ConfigError).message).not.toContain(bad);
    }
  });
});
