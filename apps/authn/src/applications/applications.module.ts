import { Module } from '@nestjs/common';
import { ApplicationsController } from './applications.controller';
import { ApplicationsService } from './applications.service';
import { ClientCredentials } from './client-secret';

/** The tenant's OAuth clients (`/v1/applications`), and the lookup the OpenID provider uses. */
@Module({
  controllers: [ApplicationsController],
  providers: [ApplicationsService, ClientCredentials],
  exports: [ApplicationsService],
})
export class ApplicationsModule {}
