import { DynamicModule, Global, Module } from '@nestjs/common';
import { SigningKeyGenerator } from './signing-key.crypto';
import { SigningKeysController } from './signing-keys.controller';
import { SIGNING_KEYS_OPTIONS, SigningKeysService, type SigningKeysOptions } from './signing-keys.service';

/**
 * Per-tenant signing keys and `/v1/signing-keys`. Global, registered once, so that the OIDC provider's
 * module can inject `SigningKeysService` without a second instance (and a second promotion timer).
 */
@Global()
@Module({})
export class SigningKeysModule {
  static forRoot(options: Partial<SigningKeysOptions> = {}): DynamicModule {
    return {
      module: SigningKeysModule,
      controllers: [SigningKeysController],
      providers: [SigningKeyGenerator, SigningKeysService, { provide: SIGNING_KEYS_OPTIONS, useValue: options }],
      exports: [SigningKeysService],
    };
  }
}
