import { Injectable } from '@nestjs/common';
import { Brackets, SelectQueryBuilder } from 'typeorm';
import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import type { AttributeDefinition } from '../profile-schema/profile-schema.types';
import { ScimException, SqlDialect, compileFilter, likePattern, parseFilter } from '../scim/protocol';
import { UserFilterNaming, userFilterResolver } from './user.filter';
import type { UserQueryDto } from './dto/user-query.dto';
import type { UserEntity } from './user.entity';
import { emailKey, usernameKey } from './user.identifiers';


/**
 * Turns `GET /v1/users` conditions into SQL. Every condition is a bound parameter; every exact
 * lookup hits a (tenantId, key) index, prefix search a pattern index on Postgres.
 */
@Injectable()
export class UserQueryBuilder {
  build(qb: SelectQueryBuilder<UserEntity>, tenantId: string, q: UserQueryDto, defs: AttributeDefinition[], dialect: SqlDialect): SelectQueryBuilder<UserEntity> {
    if (q.status) qb.andWhere('u.status = :status', { status: q.status });
    else qb.andWhere("u.status <> 'deleted'");
    if (q.email !== undefined) qb.andWhere('u.emailKey = :email', { email: emailKey(q.email.trim()) });
    if (q.username !== undefined) qb.andWhere('u.usernameKey = :username', { username: usernameKey(q.username.trim()) });
    if (q.phoneNumber !== undefined) qb.andWhere('u.phoneKey = :phone', { phone: q.phoneNumber.trim() });
    if (q.externalId !== undefined) qb.andWhere('u.externalId = :externalId', { externalId: q.externalId });
    if (q.q !== undefined) {
      const prefix = likePattern('sw', q.q.trim().normalize('NFKC').toLowerCase());
      qb.andWhere(
        new Brackets((w) => {
          for (const col of ['emailKey', 'usernameKey', 'givenNameKey', 'familyNameKey']) w.orWhere(`u.${col} LIKE :prefix ESCAPE '\\'`, { prefix });
        }),
      );
    }
    if (q.group !== undefined) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM "group_members" gm WHERE gm."tenantId" = :tenantId AND gm."groupId" = :group AND gm."userId" = u.id)',
        { tenantId, group: q.group },
      );
    }
    if (q.filter !== undefined) {
      try {
        this.filter(qb, q.filter, defs, dialect, 'api');
      } catch (err) {
        // The API speaks problem+json: a bad filter is a field error, not a SCIM error.
        if (!(err instanceof ScimException)) throw err;
        throw new PlatformException(PlatformErrorCode.ValidationFailed, 'The filter is invalid', [{ field: 'filter', message: err.detail }]);
      }
    }
    return qb;
  }

  /** Adds a SCIM-grammar filter (RFC 7644 §3.4.2.2) as bound SQL; throws ScimException invalidFilter. */
  filter(qb: SelectQueryBuilder<UserEntity>, text: string, defs: AttributeDefinition[], dialect: SqlDialect, naming: UserFilterNaming): void {
    const { sql, params } = compileFilter(parseFilter(text), userFilterResolver(dialect, defs, naming), dialect, { paramPrefix: `f${naming}` });
    qb.andWhere(`(${sql})`, params);
  }
}
