import { ApiProperty } from '@nestjs/swagger';
import { USER_STATUSES, type UserStatus } from '@keyline/directory-contracts';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, Matches } from 'class-validator';
import type { GroupMemberView } from '../group.store';

export const MAX_MEMBERS_PER_CALL = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class GroupMembersAddDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_MEMBERS_PER_CALL, description: 'Users to add; members already in the group are fine' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_MEMBERS_PER_CALL)
  @Matches(UUID, { each: true, message: 'each value in userIds must be a user id (UUID)' })
  userIds: string[];
}

export class GroupMembersAddedDto {
  @ApiProperty({ type: [String], description: 'The users that were not members before this call' })
  added: string[];
}

export class GroupMemberResponseDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' })
  email: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ada' })
  username: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  displayName: string | null;

  @ApiProperty({ enum: USER_STATUSES.filter((s) => s !== 'deleted'), example: 'active' })
  status: UserStatus;

  @ApiProperty({ format: 'date-time', description: 'When the user was added to the group' })
  addedAt: string;

  static from(m: GroupMemberView): GroupMemberResponseDto {
    return { userId: m.userId, email: m.email, username: m.username, displayName: m.displayName, status: m.status, addedAt: m.addedAt.toISOString() };
  }
}

export class GroupMemberPageDto {
  @ApiProperty({ type: [GroupMemberResponseDto] })
  items: GroupMemberResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
