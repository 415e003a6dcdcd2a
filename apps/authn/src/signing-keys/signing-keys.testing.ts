import { AuthnEventTopics, type AuthnEvents } from '@keyline/authn-contracts';
import { Outbox, OutboxEventEntity, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { dataSourceOptions } from '@keyline/platform-persistence';
import { DataSource } from 'typeorm';
import { AuthnEventsService } from '../core/authn-events';
import { Clock } from '../core/clock';
import { AuthnKeys } from '../core/keys';
import { SecretBox } from '../crypto/secret-box';
import { SigningKeyGenerator } from './signing-key.crypto';
import { SigningKeyEntity } from './signing-key.entity';
import { AuthnSigningKeys1764710000000 } from './signing-keys.migration';
import { SigningKeysService, type SigningKeysOptions } from './signing-keys.service';

/** A clock tests move by hand. */
export class FakeClock extends Clock {
  constructor(public ms = Date.UTC(2030, 0, 1)) {
    super();
  }
  override now(): Date {
    return new Date(this.ms);
  }
  override nowMs(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A DataSource with the outbox and signing_keys migrated: embedded SQLite in `dataDir`, or Postgres at `url`. */
export async function signingKeysDataSource(opts: { dataDir: string; url?: string }): Promise<DataSource> {
  const ds = new DataSource(
    dataSourceOptions({
      service: 'signing-keys-test',
      url: opts.url,
      dataDir: opts.dataDir,
      entities: [...messagingEntities, SigningKeyEntity],
      migrations: [...messagingMigrations, AuthnSigningKeys1764710000000],
      poolSize: 20,
    }),
  );
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

export interface SigningKeysHarness {
  keys: AuthnKeys;
  events: AuthnEventsService;
  clock: FakeClock;
  /** A new service instance over the same database, key ring and clock (as another replica would be). */
  service(options?: Partial<SigningKeysOptions>): SigningKeysService;
  /** The `keys.rotated` events in the outbox, oldest first. */
  rotatedEvents(): Promise<{ tenantId: string; actor: string; subject: string; data: AuthnEvents['keys.rotated'] }[]>;
}

export function signingKeysHarness(ds: DataSource, clock = new FakeClock()): SigningKeysHarness {
  const keys = new AuthnKeys(SecretBox.generateKeySpec('t1'));
  const events = new AuthnEventsService(ds, new Outbox<AuthnEvents>(AuthnEventTopics));
  const generator = new SigningKeyGenerator();
  return {
    keys,
    events,
    clock,
    service: (options) => new SigningKeysService(ds, keys, events, clock, generator, options),
    rotatedEvents: async () =>
      (await ds.getRepository(OutboxEventEntity).find({ where: { topic: AuthnEventTopics['keys.rotated'] }, order: { seq: 'ASC' } })).map((r) => JSON.parse(r.payload)),
  };
}
