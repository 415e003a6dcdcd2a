import { HttpException } from '@nestjs/common';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** The `scimType` values of RFC 7644 §3.12, table 9. */
export enum ScimType {
  invalidFilter = 'invalidFilter',
  tooMany = 'tooMany',
  uniqueness = 'uniqueness',
  mutability = 'mutability',
  invalidSyntax = 'invalidSyntax',
  invalidPath = 'invalidPath',
  noTarget = 'noTarget',
  invalidValue = 'invalidValue',
  invalidVers = 'invalidVers',
  sensitive = 'sensitive',
}

/** RFC 7644 §3.12 error response; `status` is a string there, unlike RFC 9457. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export class ScimException extends HttpException {
  constructor(
    status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(scimErrorBody(status, detail, scimType), status);
  }

  toBody(): ScimErrorBody {
    return scimErrorBody(this.getStatus(), this.detail, this.scimType);
  }
}
