import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { FlowsModule } from '../flows/flows.module';
import { IdentitiesModule } from '../identities/identities.module';
import { OidcController } from './oidc.controller';
import { OidcProviders } from './oidc.registry';

/** Every tenant's OpenID Provider (oidc-provider), behind `/t/{slug}/.well-known` and `/t/{slug}/oauth`. */
@Module({
  imports: [FlowsModule, IdentitiesModule, ApplicationsModule],
  controllers: [OidcController],
  providers: [OidcProviders],
})
export class OidcModule {}
