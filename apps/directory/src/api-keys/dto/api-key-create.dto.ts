import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES } from '@keyline/directory-contracts';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn } from 'class-validator';
import { IsDisplayName } from '../../core/text';

export class ApiKeyCreateDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'backend' })
  @IsDisplayName(1, 100)
  name: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    isArray: true,
    description: '`admin` allows everything within the tenant; the others allow only what they name',
    example: ['users:read', 'users:write'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(API_KEY_SCOPES.length * 2)
  @IsIn(API_KEY_SCOPES, { each: true, message: `scopes may only contain ${API_KEY_SCOPES.join(', ')}` })
  scopes: string[];
}
