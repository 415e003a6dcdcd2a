import { ApiProperty } from '@nestjs/swagger';
import { SIGNING_ALGS, type SigningAlg } from '../signing-key.crypto';
import { SIGNING_KEY_STATUSES, type SigningKeyStatus } from '../signing-key.entity';

/** A signing key as the API shows it: lifecycle only, never key material. */
export class SigningKeyResponseDto {
  @ApiProperty({ description: 'The key id (JWS `kid`)' })
  kid: string;

  @ApiProperty({ enum: SIGNING_ALGS })
  alg: SigningAlg;

  @ApiProperty({ enum: SIGNING_KEY_STATUSES, description: '`next`: published, not signing yet; `active`: signs; `retired`: published for verification only' })
  status: SigningKeyStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'When the key starts (or started) signing' })
  activatesAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  retiredAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a retired key leaves the JWKS' })
  expiresAt: string | null;
}

export class SigningKeyListResponseDto {
  @ApiProperty({ type: [SigningKeyResponseDto] })
  items: SigningKeyResponseDto[];
}
