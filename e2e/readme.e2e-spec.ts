import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Platform, startPlatform } from './support/platform';

/** The README's walk-through, run as written (bash + curl) against a running platform. */
function walkThrough(): string {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A first walk-through'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no walk-through code block');
  // The reader sets these two from their own running platform; the test sets them from its own.
  return block[1]
    .split('\n')
    .filter((l) => !/^export (KEYLINE|ADMIN_KEY)=/.test(l))
    .join('\n');
}

describe("the README's walk-through", () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('readme');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('works as written', async () => {
    // Then wait (bounded) until audit has received the events over Kafka, and print them. Tenant, key and
    // user events travel on three topics, each consumed at its own pace: wait for all three.
    const waitAudit = `for i in $(seq 1 60); do a=$(curl -s "$KEYLINE/v1/audit/events?limit=50" -H "Authorization: Bearer $ACME_KEY"); if [[ "$a" == *tenant.created* && "$a" == *api-key.created* && "$a" == *user.created* ]]; then break; fi; sleep 0.5; done; echo; echo "AUDIT: $a"`;
    const script = `set -euo pipefail\n${walkThrough()}\n${waitAudit}\n`;
    const r = spawnSync('bash', ['-c', script], {
      env: {
        ...process.env,
        KEYLINE: platform.gateway,
        ADMIN_KEY: platform.adminKey,
        // `node -pe` in the walk-through: the project's Node.
        PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toContain('"slug":"acme"');
    expect(out).toContain(`"issuer":"${platform.gateway}/t/acme"`);
    expect(out).toMatch(/"tenantSlug":"acme"/); // whoami with the new key
    expect(out).toContain('"name":"backend"'); // key list
    expect(out).not.toMatch(/"key":"kl_/); // the key itself is never listed
    expect(out).toContain('"code":"validation_failed"');
    expect(out).toMatch(/"items":\[\{"id":"[^"]+","email":"ada@example.com"/); // found by a differently cased email
    expect(out).toContain('"attributes":{"plan":"gold"}');
    expect(out).toMatch(/"totalResults":1,.*"userName":"ada@example.com"/); // SCIM
    expect(out).not.toContain('correct horse'); // the password is never shown
    expect(out).toMatch(/"profile":\{"id":"[^"]+","email":"ada@example.com"/); // Ada's own account, with her session
    expect(out).toContain('"acr":"urn:keyline:acr:password"');
    const audit = out.slice(out.lastIndexOf('AUDIT:'));
    expect(audit).toContain('"type":"tenant.created"');
    expect(audit).toContain('"type":"api-key.created"');
    expect(audit).toContain('"type":"user.created"');
    expect(audit).not.toContain('credential.'); // password hashes are authn's alone, never audited
  });
});
