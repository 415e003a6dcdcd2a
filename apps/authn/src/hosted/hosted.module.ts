import { Module } from '@nestjs/common';
import { FlowsModule } from '../flows/flows.module';
import { HostedController } from './hosted.controller';

/** The hosted sign-in pages of every tenant. */
@Module({
  imports: [FlowsModule],
  controllers: [HostedController],
})
export class HostedModule {}
