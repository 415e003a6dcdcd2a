import { Module } from '@nestjs/common';
import { PasswordHasher, argon2idParametersOf } from '@keyline/platform-passwords';
import type { DirectoryConfig } from '../config';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
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
    // The deployment's argon2id cost (ARGON2_*, OWASP by default); authn verifies and upgrades with the same library.
    { provide: PasswordHasher, useFactory: (c: DirectoryConfig) => new PasswordHasher(argon2idParametersOf(c)), inject: [DIRECTORY_CONFIG] },
    // Deleting a user drops its group memberships and role assignments in the same transaction.
    { provide: UserDeletionHooks, useExisting: GroupMembership },
  ],
  exports: [UsersService, UserStore, UserQueryBuilder],
})
export class UsersModule {}
