import { Module } from '@nestjs/common';
import { BruteForceGuard } from '../credentials/brute-force';
import { LockoutsController } from '../credentials/lockouts.controller';
import { PasswordsService } from '../credentials/passwords.service';
import { IdentitiesModule } from '../identities/identities.module';
import { AccountService } from '../me/account.service';
import { MeController } from '../me/me.controller';
import { MfaService } from '../mfa/mfa.service';
import { AuthnSettingsController } from '../tenants/authn-settings.controller';
import { AuthnSettingsService } from '../tenants/authn-settings.service';
import { TenantsService } from '../tenants/tenants.service';
import { FlowStore } from './flow.store';
import { FlowsController } from './flows.controller';
import { FlowsService } from './flows.service';
import { RecoveryService } from './recovery.service';

/** Sign-in, sign-up, recovery, step-up and the self-service account: the engine and its JSON API. */
@Module({
  imports: [IdentitiesModule],
  controllers: [FlowsController, MeController, LockoutsController, AuthnSettingsController],
  providers: [FlowStore, FlowsService, RecoveryService, AccountService, PasswordsService, BruteForceGuard, MfaService, TenantsService, AuthnSettingsService],
  exports: [FlowStore, FlowsService, RecoveryService, AccountService, PasswordsService, MfaService, TenantsService],
})
export class FlowsModule {}
