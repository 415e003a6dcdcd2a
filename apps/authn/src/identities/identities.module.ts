import { Module } from '@nestjs/common';
import { IdentitiesConsumer } from './identities.consumer';
import { IdentitiesService } from './identities.service';

@Module({
  providers: [IdentitiesService, IdentitiesConsumer],
  exports: [IdentitiesService],
})
export class IdentitiesModule {}
