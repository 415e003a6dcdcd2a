import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PlatformErrorCode, PlatformException } from './problem';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, decodePrincipal, hasScope, safeEqual } from './principal';

const PUBLIC = 'keyline:public';
const SCOPES = 'keyline:scopes';
const ACCESS = 'keyline:access';

/** No principal needed (health, metrics, OpenAPI, OIDC endpoints). */
export const Public = () => SetMetadata(PUBLIC, true);
/** The caller needs one of these scopes (`admin` implies all within its tenant). */
export const RequireScopes = (...scopes: string[]) => SetMetadata(SCOPES, scopes);
/**
 * `platform`: platform admin key only; `tenant`: a tenant key; `any`: either (default `tenant`);
 * `internal`: service-to-service calls from the gateway with the internal token and no principal.
 */
export const Access = (who: 'platform' | 'tenant' | 'any' | 'internal') => SetMetadata(ACCESS, who);

type WithPrincipal = { headers: Record<string, string | string[] | undefined>; principal?: Principal };

/** The authenticated caller of a route. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<WithPrincipal>().principal as Principal;
});

/** The tenant of a tenant-scoped route (its key's tenant). */
export const TenantId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const p = ctx.switchToHttp().getRequest<WithPrincipal>().principal;
  if (!p || p.kind !== 'tenant') throw new PlatformException(PlatformErrorCode.TenantRequired, 'This route needs a tenant API key');
  return p.tenantId;
});

/**
 * Services trust only the gateway: every non-public route needs the internal token and a principal
 * header that the gateway set after authenticating the API key. Scope checks live here, next to the
 * routes that know what they need.
 */
@Injectable()
export class InternalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly internalToken: string,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<WithPrincipal>();
    const token = req.headers[INTERNAL_TOKEN_HEADER];
    if (typeof token !== 'string' || !safeEqual(token, this.internalToken)) {
      throw new PlatformException(PlatformErrorCode.Unauthorized, 'Missing or invalid API key');
    }
    const access = this.reflector.getAllAndOverride<'platform' | 'tenant' | 'any' | 'internal'>(ACCESS, targets) ?? 'tenant';
    if (access === 'internal') return true;
    const principal = decodePrincipal(req.headers[PRINCIPAL_HEADER]);
    if (!principal) throw new PlatformException(PlatformErrorCode.Unauthorized, 'Missing or invalid API key');
    req.principal = principal;

    if (access === 'platform' && principal.kind !== 'platform') {
      throw new PlatformException(PlatformErrorCode.Forbidden, 'This route needs the platform admin key');
    }
    if (access === 'tenant' && principal.kind !== 'tenant') {
      throw new PlatformException(PlatformErrorCode.TenantRequired, 'This route needs a tenant API key');
    }
    const scopes = this.reflector.getAllAndOverride<string[]>(SCOPES, targets) ?? [];
    if (scopes.length && !scopes.some((s) => hasScope(principal, s))) {
      throw new PlatformException(PlatformErrorCode.InsufficientScope, `This key lacks the scope ${scopes.join(' or ')}`);
    }
    return true;
  }
}
