import { Module } from '@nestjs/common';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { UserQueryBuilder } from './user.query';
import { TypeOrmUserStore, UserStore } from './user.store';
import { Argon2idPasswordHashing, PasswordHashing } from './user.password';
import { UsersController } from './users.controller';
import { UserDeletionHooks, UsersService } from './users.service';

@Module({
  imports: [ProfileSchemaModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserQueryBuilder,
    { provide: UserStore, useClass: TypeOrmUserStore },
    { provide: PasswordHashing, useValue: new Argon2idPasswordHashing() },
    // TODO(groups wiring): replaced by the groups feature's membership cleanup.
    { provide: UserDeletionHooks, useValue: { onDelete: () => Promise.resolve() } },
  ],
  exports: [UsersService],
})
export class UsersModule {}
