import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SIGNING_ALGS, type SigningAlg } from '../signing-key.crypto';
import { MAX_PUBLISH_SECONDS } from '../signing-keys.service';

/** `POST /v1/signing-keys/rotate`. */
export class SigningKeyRotateDto {
  @ApiPropertyOptional({ enum: SIGNING_ALGS, description: 'Rotate only this algorithm; every algorithm when omitted' })
  @IsOptional()
  @IsIn(SIGNING_ALGS)
  alg?: SigningAlg;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_PUBLISH_SECONDS,
    default: 600,
    description: 'Seconds the new key is published in the JWKS before it signs; 0 makes it sign at once (for a suspected compromise)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PUBLISH_SECONDS)
  publishSeconds?: number;
}
