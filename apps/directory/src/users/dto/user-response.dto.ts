import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { USER_STATUSES, type UserStatus } from '@keyline/directory-contracts';
import type { UserEntity } from '../user.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A user as the management API shows it: never a password or a hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' })
  email: string | null;

  @ApiProperty()
  emailVerified: boolean;

  @ApiProperty({ type: String, nullable: true, example: '+14155550100' })
  phoneNumber: string | null;

  @ApiProperty()
  phoneNumberVerified: boolean;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ type: String, nullable: true })
  givenName: string | null;

  @ApiProperty({ type: String, nullable: true })
  familyName: string | null;

  @ApiProperty({ type: String, nullable: true })
  displayName: string | null;

  @ApiProperty({ type: String, nullable: true })
  locale: string | null;

  @ApiProperty({ type: String, nullable: true })
  picture: string | null;

  @ApiProperty({ type: String, nullable: true })
  externalId: string | null;

  @ApiProperty({ enum: USER_STATUSES })
  status: UserStatus;

  @ApiProperty({ type: 'object', additionalProperties: true })
  attributes: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  appMetadata: Record<string, unknown>;

  @ApiProperty({ description: 'Incremented by every change; the ETag is W/"<version>"' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;

  static from(u: UserEntity): UserResponseDto {
    return {
      id: u.id,
      email: u.email,
      emailVerified: u.emailVerified,
      phoneNumber: u.phoneNumber,
      phoneNumberVerified: u.phoneNumberVerified,
      username: u.username,
      givenName: u.givenName,
      familyName: u.familyName,
      displayName: u.displayName,
      locale: u.locale,
      picture: u.picture,
      externalId: u.externalId,
      status: u.status,
      attributes: u.attributes,
      appMetadata: u.appMetadata,
      version: u.version,
      createdAt: u.createdAt.toISOString(),
      updatedAt: u.updatedAt.toISOString(),
      lastLoginAt: iso(u.lastLoginAt),
    };
  }
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
