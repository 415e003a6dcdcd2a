import { ApiPropertyOptional } from '@nestjs/swagger';
import { USER_STATUSES, type UserStatus } from '@keyline/directory-contracts';
import { IsIn, IsOptional } from 'class-validator';
import { ON_CONFLICT, type OnConflict } from '../user-import-job.entity';

/** `POST /v1/users/imports?onConflict=`. */
export class UserImportStartQueryDto {
  @ApiPropertyOptional({
    enum: ON_CONFLICT,
    default: 'fail',
    description: 'A line whose email, phone number, username or unique attribute is taken: a line error (fail) or skipped (skip)',
  })
  @IsOptional()
  @IsIn(ON_CONFLICT)
  onConflict: OnConflict = 'fail';
}

/** `GET /v1/users/export?status=`. */
export class UserExportQueryDto {
  @ApiPropertyOptional({ enum: USER_STATUSES, description: 'Default: every status but deleted' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}
