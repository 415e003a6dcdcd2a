import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import type { TenantContext } from '../tenants/tenants.service';
import type { FlowSubmitDto } from './dto/flow.dto';
import type { FlowResult, FlowState, RequestContext } from './flow.types';
import type { FlowsService } from './flows.service';

const need = (value: string | undefined, field: string): string => {
  if (value === undefined || value === '') throw new PlatformException(PlatformErrorCode.ValidationFailed, `${field} is required`, [{ field, message: 'is required' }]);
  return value;
};

/** One submitted step (JSON API or hosted form) to the engine method that handles it. */
export function dispatch(flows: FlowsService, tenant: TenantContext, flow: FlowState, input: FlowSubmitDto, ctx: RequestContext): Promise<FlowResult> {
  switch (input.method) {
    case 'password':
      return flows.password(tenant, flow, { identifier: need(input.identifier, 'identifier'), password: need(input.password, 'password'), remember: input.remember }, ctx);
    case 'send-code':
      return flows.sendCode(tenant, flow, { identifier: input.identifier }, ctx);
    case 'code':
      return flows.verifyCode(tenant, flow, { code: need(input.code, 'code') }, ctx);
    case 'totp':
      return flows.totp(tenant, flow, { code: need(input.code, 'code') }, ctx);
    case 'recovery-code':
      return flows.recoveryCode(tenant, flow, { code: need(input.code, 'code') }, ctx);
    case 'register': {
      const profile: Record<string, unknown> = {};
      if (input.givenName) profile.givenName = input.givenName;
      if (input.familyName) profile.familyName = input.familyName;
      if (input.attributes && Object.keys(input.attributes).length) profile.attributes = input.attributes;
      return flows.signUp(tenant, flow, { email: need(input.email, 'email'), password: need(input.password, 'password'), profile, remember: input.remember }, ctx);
    }
    case 'enrol-totp':
      return flows.beginEnrolment(tenant, flow);
    case 'confirm-totp':
      return flows.confirmEnrolment(tenant, flow, { code: need(input.code, 'code') }, ctx);
  }
}
