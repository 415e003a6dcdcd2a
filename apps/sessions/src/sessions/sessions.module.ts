import { Module } from '@nestjs/common';
import { Clock } from '../core/clock';
import { SessionsInternalController } from './sessions.internal.controller';
import { SessionsService } from './sessions.service';
import { SessionsStore } from './sessions.store';

@Module({
  controllers: [SessionsInternalController],
  providers: [Clock, SessionsStore, SessionsService],
})
export class SessionsModule {}
