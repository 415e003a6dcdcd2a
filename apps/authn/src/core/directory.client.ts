import { DirectoryInternalPaths, type ProfileAttributeView, type SelfProfile, type UserData } from '@keyline/directory-contracts';
import { InternalClient } from './internal-client';

/** The directory's internal API (see `DirectoryInternalPaths`): only where authn needs an answer now. */
export class DirectoryClient extends InternalClient {
  /** The body of a 2xx answer, or null for 404. */
  async maybe<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    const res = await this.call<T>(method, path, body);
    if (res.status === 404) return null;
    if (res.status < 300) return res.body;
    throw InternalClient.problemOf(res as { status: number; body: unknown });
  }

  profileSchema(tenantId: string): Promise<ProfileAttributeView[]> {
    return this.expect('GET', DirectoryInternalPaths.profileSchema(tenantId));
  }

  signUp(tenantId: string, input: Record<string, unknown>): Promise<UserData> {
    return this.expect('POST', DirectoryInternalPaths.users(tenantId), input);
  }

  /** `emailVerified` after a code, or a new `email` the user proved (verified with it). */
  setVerified(tenantId: string, userId: string, patch: { email?: string; emailVerified: boolean }): Promise<UserData> {
    return this.expect('PATCH', DirectoryInternalPaths.user(tenantId, userId), patch);
  }

  self(tenantId: string, userId: string): Promise<SelfProfile> {
    return this.expect('GET', DirectoryInternalPaths.selfProfile(tenantId, userId));
  }

  updateSelf(tenantId: string, userId: string, patch: Record<string, unknown>): Promise<SelfProfile> {
    return this.expect('PATCH', DirectoryInternalPaths.selfProfile(tenantId, userId), patch);
  }
}
