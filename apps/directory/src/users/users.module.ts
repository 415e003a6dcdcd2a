import { Module } from '@nestjs/common';
import { PasswordHasher } from '@keyline/platform-passwords';
import { GroupMembership } from '../groups/group-membership.service';
import { GroupsModule } from '../groups/groups.module';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { UserQueryBuilder } from './user.query';
import { TypeOrmUserStore, UserStore } from './user.store';
import { UsersController } from './users.controller';
import { UserDeletionHooks, UsersService } from './users.service';

@Module({
  imports: [ProfileSchemaModule, GroupsModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UserQueryBuilder,
    { provide: UserStore, useClass: TypeOrmUserStore },
    // OWASP's argon2id parameters; authn verifies and upgrades with the same library.
    { provide: PasswordHasher, useValue: new PasswordHasher() },
    // Deleting a user drops its group memberships and role assignments in the same transaction.
    { provide: UserDeletionHooks, useExisting: GroupMembership },
  ],
  exports: [UsersService, UserStore, UserQueryBuilder],
})
export class UsersModule {}
