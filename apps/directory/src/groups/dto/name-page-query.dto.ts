import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@keyline/platform-http';

/** `?limit=&cursor=&q=` of lists searchable by name. */
export class NamePageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only those whose name starts with this, ignoring case', example: 'eng' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
