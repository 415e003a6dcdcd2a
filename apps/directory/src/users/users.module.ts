import { Module } from '@nestjs/common';
import { PasswordHasher } from '@keyline/platform-passwords';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { UserQueryBuilder } from './user.query';
import { TypeOrmUserStore, UserStore } from './user.store';
import { UsersController } from './users.controller';
import { UserDeletionHooks, UsersService } from './users.service';

@Module({
  imports: [ProfileSchemaModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserQueryBuilder,
    { provide: UserStore, useClass: TypeOrmUserStore },
    // OWASP's argon2id parameters; authn verifies and upgrades with the same library.
    { provide: PasswordHasher, useValue: new PasswordHasher() },
    // TODO(groups wiring): replaced by the groups feature's membership cleanup.
    { provide: UserDeletionHooks, useValue: { onDelete: () => Promise.resolve() } },
  ],
  exports: [UsersService],
})
export class UsersModule {}
