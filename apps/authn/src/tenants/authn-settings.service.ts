import { Injectable } from '@nestjs/common';
import { PlatformErrorCode, PlatformException } from '@keyline/platform-http';
import { DataSource } from 'typeorm';
import { validateTemplateOverrides, type MailTemplateOverrides } from '../mail/mail.templates';
import { type AuthnSettings, withDefaults } from './authn-settings';
import type { AuthnSettingsPatchDto } from './dto/authn-settings.dto';
import { AuthnSettingsEntity } from './tenant.entity';
import { type TenantContext, TenantsService } from './tenants.service';

/** Reads and changes a tenant's sign-in settings; every instance sees a change within the tenant cache time. */
@Injectable()
export class AuthnSettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  async get(slug: string): Promise<{ settings: AuthnSettings; version: number }> {
    const t = await this.tenants.bySlug(slug);
    return { settings: t.settings, version: t.settingsVersion };
  }

  async update(slug: string, patch: AuthnSettingsPatchDto): Promise<{ settings: AuthnSettings; version: number }> {
    const tenant = await this.tenants.bySlug(slug);
    const tenantId = tenant.id;
    if (patch.mail?.templates) {
      const problems = validateTemplateOverrides(patch.mail.templates as MailTemplateOverrides);
      if (problems.length) throw invalid(problems.map((message) => ({ field: 'mail.templates', message })));
    }
    const next = await this.ds.transaction(async (m) => {
      const row = await m.findOneBy(AuthnSettingsEntity, { tenantId });
      const current = withDefaults(row?.settings);
      const merged = withDefaults(
        Object.fromEntries(
          Object.entries(current).map(([section, values]) => [section, { ...values, ...((patch as Record<string, object | undefined>)[section] ?? {}) }]),
        ) as Partial<AuthnSettings>,
      );
      const s = merged.sessions;
      if (s.idleMinutes > s.absoluteHours * 60) throw invalid([{ field: 'sessions.idleMinutes', message: 'must not exceed absoluteHours' }]);
      if (merged.mfa.policy === 'required-for-groups' && !merged.mfa.groups.length) {
        throw invalid([{ field: 'mfa.groups', message: 'name at least one group for policy required-for-groups' }]);
      }
      if (merged.mfa.policy !== 'off' && !merged.mfa.methods.length) throw invalid([{ field: 'mfa.methods', message: 'at least one method' }]);
      const version = (row?.version ?? 0) + 1;
      await m.save(Object.assign(new AuthnSettingsEntity(), { tenantId, settings: merged, version, updatedAt: new Date() }));
      return { settings: merged, version };
    });
    this.tenants.forget(tenant as TenantContext);
    return next;
  }
}

function invalid(errors: { field: string; message: string }[]): PlatformException {
  return new PlatformException(PlatformErrorCode.ValidationFailed, 'The settings are invalid', errors);
}
