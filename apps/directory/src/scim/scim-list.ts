import { LIST_RESPONSE_SCHEMA, ScimException, ScimType } from './protocol';
import { SCIM_DEFAULT_COUNT, SCIM_MAX_RESULTS } from './scim.constants';

/** Query parameters of a SCIM list (RFC 7644 §3.4.2). */
export interface ScimListQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: string;
  count?: string;
  attributes?: string;
  excludedAttributes?: string;
}

export interface ScimPage {
  /** 1-based, as SCIM counts. */
  startIndex: number;
  count: number;
  descending: boolean;
}

function integer(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d{1,10}$/.test(raw)) throw new ScimException(400, `${name} must be an integer`, ScimType.invalidValue);
  return Number(raw);
}

/** RFC 7644 §3.4.2.4: startIndex below 1 counts as 1, a negative count as 0; counts are capped at maxResults. */
export function scimPage(q: ScimListQuery): ScimPage {
  const startIndex = Math.max(1, integer(q.startIndex, 'startIndex') ?? 1);
  const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, integer(q.count, 'count') ?? SCIM_DEFAULT_COUNT));
  const order = (q.sortOrder ?? 'ascending').toLowerCase();
  if (order !== 'ascending' && order !== 'descending') throw new ScimException(400, 'sortOrder must be ascending or descending', ScimType.invalidValue);
  return { startIndex, count, descending: order === 'descending' };
}

export function listResponse(resources: Record<string, unknown>[], totalResults: number, page: ScimPage): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex: page.startIndex, itemsPerPage: resources.length, Resources: resources };
}
