import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemTitle } from '@keyline/platform-http';

export class FieldErrorDto {
  @ApiProperty({ example: 'slug' })
  field: string;

  @ApiProperty({ example: 'slug must match ^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$' })
  message: string;
}

/** RFC 9457 problem details, as every management API error is answered. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:keyline:problem:validation_failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request is invalid' })
  detail: string;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'validation_failed' })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'Request id, also in the x-request-id header' })
  traceId?: string;
}

/** Documents the problem+json answers a route can give. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto, FieldErrorDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: problemTitle(status),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
