import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class ApiKeyResolveDto {
  @ApiProperty({ description: 'Hex SHA-256 of the presented key', pattern: '^[0-9a-f]{64}$' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be 64 lowercase hex characters' })
  hash: string;
}
