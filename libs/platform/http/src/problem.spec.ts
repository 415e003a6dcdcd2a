import { BadRequestException, NotFoundException } from '@nestjs/common';
import { PlatformErrorCode, PlatformException, toProblem } from './problem';

describe('toProblem', () => {
  it('renders a platform exception as RFC 9457 with code, field errors and trace id', () => {
    const body = toProblem(new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [{ field: 'slug', message: 'bad' }]), 't-1');
    expect(body).toEqual({
      type: 'urn:keyline:problem:validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is invalid',
      code: 'validation_failed',
      errors: [{ field: 'slug', message: 'bad' }],
      traceId: 't-1',
    });
  });

  it('maps fastify body errors to 413, 415 and malformed_json', () => {
    expect(toProblem({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toProblem({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message: 'x' })).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(toProblem({ statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY', message: 'x' })).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(toProblem(new BadRequestException("Body is not valid JSON but content-type is set to 'application/json'"))).toMatchObject({ code: 'malformed_json' });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({ status: 404, code: 'not_found', detail: 'Cannot GET /x' });
  });

  it('hides everything about unexpected errors', () => {
    const err = new Error('connection to db at 10.0.0.1 failed');
    const body = toProblem(err, 't');
    expect(body).toMatchObject({ status: 500, code: 'internal_error', detail: 'An unexpected error occurred' });
    expect(JSON.stringify(body)).not.toContain('10.0.0.1');
    expect(JSON.stringify(body)).not.toContain('at ');
  });
});
