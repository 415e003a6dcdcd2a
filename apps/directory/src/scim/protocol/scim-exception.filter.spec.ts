import { ArgumentsHost, BadRequestException, ConflictException, ForbiddenException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PlatformErrorCode, PlatformException, ProblemException } from '@keyline/platform-http';
import type { FastifyInstance } from 'fastify';
import { ScimExceptionFilter, isScimUrl, problemToScimError, scimErrorsForFastify, toScimError } from './scim-exception.filter';
import { SCIM_ERROR_SCHEMA, ScimException, ScimType } from './scim.exception';

describe('ScimException', () => {
  it('carries an RFC 7644 §3.12 body with the status as a string', () => {
    const err = new ScimException(400, 'Invalid filter: x', ScimType.invalidFilter);
    expect(err.getStatus()).toBe(400);
    expect(err.getResponse()).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '400', scimType: 'invalidFilter', detail: 'Invalid filter: x' });
    expect(err.toBody()).toEqual(err.getResponse());
  });

  it('leaves scimType out when there is none', () => {
    expect(new ScimException(404, 'User not found').toBody()).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '404', detail: 'User not found' });
  });

  it('names every scimType of RFC 7644 table 9 by its own name', () => {
    expect(Object.entries(ScimType).every(([k, v]) => k === v)).toBe(true);
    expect(Object.keys(ScimType)).toEqual(['invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive']);
  });
});

describe('toScimError', () => {
  const body = (status: string, detail: string, scimType?: string) => ({ schemas: [SCIM_ERROR_SCHEMA], status, ...(scimType ? { scimType } : {}), detail });

  it('passes a ScimException through as it is', () => {
    expect(toScimError(new ScimException(400, 'bad path', ScimType.invalidPath))).toEqual({ status: 400, body: body('400', 'bad path', 'invalidPath') });
  });

  it('maps a Keyline validation problem to invalidValue, with its field errors in the detail', () => {
    const err = new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', [
      { field: 'userName', message: 'must be a string' },
      { field: 'emails.0.value', message: 'must be an email' },
    ]);
    expect(toScimError(err)).toEqual({
      status: 400,
      body: body('400', 'The request is invalid: userName: must be a string; emails.0.value: must be an email', 'invalidValue'),
    });
  });

  it('maps a conflict problem to uniqueness and keeps its detail', () => {
    expect(toScimError(new ProblemException(409, 'username_taken', 'The username is taken'))).toEqual({
      status: 409,
      body: body('409', 'The username is taken', 'uniqueness'),
    });
    expect(toScimError(new ConflictException('dup')).body.scimType).toBe('uniqueness');
  });

  it('maps malformed JSON to invalidSyntax, from Nest and from Fastify', () => {
    expect(toScimError(new BadRequestException("Body is not valid JSON but content-type is set to 'application/json'"))).toEqual({
      status: 400,
      body: body('400', 'Request body is not valid JSON', 'invalidSyntax'),
    });
    expect(toScimError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'x' }).body.scimType).toBe('invalidSyntax');
  });

  it('answers not-found, auth and body-size errors without a scimType', () => {
    expect(toScimError(new NotFoundException('Cannot GET /scim/v2/Nope'))).toEqual({ status: 404, body: body('404', 'Cannot GET /scim/v2/Nope') });
    expect(toScimError(new ProblemException(404, 'user_not_found', 'User not found'))).toEqual({ status: 404, body: body('404', 'User not found') });
    expect(toScimError(new UnauthorizedException('Missing bearer token'))).toEqual({ status: 401, body: body('401', 'Missing bearer token') });
    expect(toScimError(new ForbiddenException('nope')).status).toBe(403);
    expect(toScimError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })).toEqual({ status: 413, body: body('413', 'Request body is too large') });
    expect(toScimError({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message: 'x' }).status).toBe(415);
  });

  it('answers 500 "Internal error" for anything unknown, echoing nothing of it', () => {
    const err = new Error('connection to db at 10.0.0.1 failed');
    const { status, body: out } = toScimError(err);
    expect(status).toBe(500);
    expect(out).toEqual(body('500', 'Internal error'));
    for (const thrown of ['a string', { message: 'secret' }, null, undefined]) expect(toScimError(thrown)).toEqual({ status: 500, body: body('500', 'Internal error') });
  });

  it('keeps the status of a server-side HTTP error but not its message', () => {
    const { status, body: out } = toScimError(new HttpException('upstream 10.0.0.2 down', 503));
    expect(status).toBe(503);
    expect(out.detail).not.toContain('10.0.0.2');
  });
});

describe('problemToScimError', () => {
  it('converts a problem body, hiding the detail of an internal error', () => {
    expect(problemToScimError({ status: 400, code: 'malformed_json', detail: 'Request body is not valid JSON' }).body.scimType).toBe('invalidSyntax');
    expect(problemToScimError({ status: 500, code: 'internal_error', detail: 'An unexpected error occurred' }).body.detail).toBe('Internal error');
    expect(problemToScimError({ status: 503, code: 'service_unavailable', detail: 'Try again later' }).body).toMatchObject({ status: '503', detail: 'Try again later' });
  });
});

describe('isScimUrl', () => {
  it.each([
    ['/scim/v2/Users', true],
    ['/scim/v2/Users?filter=userName%20eq%20%22x%22', true],
    ['/v1/tenants/t1/SCIM/v2/Groups/1', true],
    ['/scim', true],
    ['/v1/users', false],
    ['/v1/scimitar', false],
    ['/v1/users?q=/scim/', false],
  ])('says %s is %p', (url, expected) => {
    expect(isScimUrl(url)).toBe(expected);
  });
});

describe('ScimExceptionFilter', () => {
  function host() {
    const reply = { statusCode: 0, headers: {} as Record<string, string>, payload: undefined as unknown };
    const fake = {
      code: (s: number) => ((reply.statusCode = s), fake),
      header: (k: string, v: string) => ((reply.headers[k] = v), fake),
      send: (p: unknown) => ((reply.payload = p), fake),
    };
    const argumentsHost = { switchToHttp: () => ({ getResponse: () => fake, getRequest: () => ({ url: '/scim/v2/Users' }) }) } as unknown as ArgumentsHost;
    return { reply, argumentsHost };
  }

  it('answers with the SCIM error, its status and application/scim+json', () => {
    const { reply, argumentsHost } = host();
    new ScimExceptionFilter().catch(new ScimException(400, 'bad', ScimType.invalidFilter), argumentsHost);
    expect(reply).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/scim+json' },
      payload: { schemas: [SCIM_ERROR_SCHEMA], status: '400', scimType: 'invalidFilter', detail: 'bad' },
    });
  });

  it('logs unknown errors, and only those', () => {
    const logged: unknown[] = [];
    const logger = { error: (obj: unknown) => logged.push(obj) } as unknown as ConstructorParameters<typeof ScimExceptionFilter>[0];
    const filter = new ScimExceptionFilter(logger);
    const boom = new Error('boom');
    filter.catch(new NotFoundException('x'), host().argumentsHost);
    filter.catch(boom, host().argumentsHost);
    expect(logged).toEqual([{ err: boom }]);
  });
});

describe('scimErrorsForFastify', () => {
  type OnSend = (req: { url: string }, reply: unknown, payload: unknown) => Promise<unknown>;
  function hooked(isScim?: (url: string) => boolean) {
    let hook: OnSend | undefined;
    const fastify = { addHook: (name: string, fn: OnSend) => name === 'onSend' && (hook = fn) } as unknown as FastifyInstance;
    scimErrorsForFastify(fastify, isScim);
    return async (url: string, status: number, contentType: string, payload: unknown) => {
      const headers: Record<string, string> = { 'content-type': contentType };
      const reply = { statusCode: status, getHeader: (k: string) => headers[k], header: (k: string, v: string) => (headers[k] = v) };
      const out = await hook!({ url }, reply, payload);
      return { out, contentType: headers['content-type'] };
    };
  }
  const problem = JSON.stringify({ type: 'urn:keyline:problem:malformed_json', title: 'Bad Request', status: 400, detail: 'Request body is not valid JSON', code: 'malformed_json' });

  it('rewrites a problem+json error of a SCIM URL into a SCIM error', async () => {
    const send = hooked();
    const { out, contentType } = await send('/scim/v2/Users', 400, 'application/problem+json; charset=utf-8', problem);
    expect(contentType).toBe('application/scim+json');
    expect(JSON.parse(out as string)).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax', detail: 'Request body is not valid JSON' });
  });

  it('leaves other URLs, other content types and unreadable payloads alone', async () => {
    const send = hooked();
    expect(await send('/v1/users', 400, 'application/problem+json', problem)).toEqual({ out: problem, contentType: 'application/problem+json' });
    expect(await send('/scim/v2/Users', 200, 'application/scim+json', '{"id":"1"}')).toEqual({ out: '{"id":"1"}', contentType: 'application/scim+json' });
    expect(await send('/scim/v2/Users', 400, 'application/problem+json', 'not json')).toEqual({ out: 'not json', contentType: 'application/problem+json' });
  });

  it('uses the URL test it is given', async () => {
    const send = hooked((url) => url.startsWith('/provisioning/'));
    expect((await send('/provisioning/Users', 400, 'application/problem+json', problem)).contentType).toBe('application/scim+json');
    expect((await send('/scim/v2/Users', 400, 'application/problem+json', problem)).contentType).toBe('application/problem+json');
  });
});
