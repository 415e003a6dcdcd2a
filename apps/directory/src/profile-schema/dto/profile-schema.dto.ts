import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ATTRIBUTE_TYPES, AttributeDefinition, AttributeType, MAX_ALLOWED_VALUES, MAX_ATTRIBUTES, ProfileSchema, SENSITIVITIES, Sensitivity } from '../profile-schema.types';

export class AttributeDefinitionDto implements AttributeDefinition {
  @ApiProperty({ example: 'plan', pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' })
  @IsString()
  @MaxLength(64)
  name: string;

  @ApiProperty({ enum: ATTRIBUTE_TYPES, example: 'enum' })
  @IsIn(ATTRIBUTE_TYPES)
  type: AttributeType;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'New writes must carry it; existing users are not affected until written' })
  @IsOptional()
  @IsBoolean()
  required: boolean = false;

  @ApiPropertyOptional({ default: false, description: 'No two users of the tenant share a value (case-insensitive for strings)' })
  @IsOptional()
  @IsBoolean()
  unique: boolean = false;

  @ApiPropertyOptional({ description: 'Anchored pattern for string values (no nested repetition, back-references or look-arounds)' })
  @IsOptional()
  @IsString()
  pattern?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10000 })
  @IsOptional()
  @IsInt()
  maxLength?: number;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_ALLOWED_VALUES })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  allowedValues?: string[];

  @ApiPropertyOptional({ enum: SENSITIVITIES, default: 'personal' })
  @IsOptional()
  @IsIn(SENSITIVITIES)
  sensitivity: Sensitivity = 'personal';

  @ApiPropertyOptional({ default: false, description: 'Whether the user may change it in self-service' })
  @IsOptional()
  @IsBoolean()
  userEditable: boolean = false;

  @ApiPropertyOptional({ default: false, description: 'Asked on the sign-up form (hosted pages and the sign-up flow API)' })
  @IsOptional()
  @IsBoolean()
  registration?: boolean;
}

/** `PUT /v1/profile-schema`: the complete list of custom attributes (it replaces the previous one). */
export class ProfileSchemaPutDto {
  @ApiProperty({ type: [AttributeDefinitionDto], maxItems: MAX_ATTRIBUTES })
  @IsArray()
  @ArrayMaxSize(MAX_ATTRIBUTES)
  @ValidateNested({ each: true })
  @Type(() => AttributeDefinitionDto)
  attributes: AttributeDefinitionDto[];
}

export class ProfileSchemaResponseDto {
  @ApiProperty({ type: [AttributeDefinitionDto] })
  attributes: AttributeDefinition[];

  @ApiProperty({ description: 'Incremented by every change; also the ETag' })
  version: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;

  static from(s: ProfileSchema): ProfileSchemaResponseDto {
    return { attributes: s.attributes, version: s.version, updatedAt: s.updatedAt?.toISOString() ?? null };
  }
}
