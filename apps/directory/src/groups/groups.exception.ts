import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';

// Another tenant's id is answered exactly like an id that does not exist, so keys cannot probe ids.
export const groupNotFound = (id: string) => new DirectoryException(DirectoryErrorCode.GroupNotFound, `No group ${id}`);
export const roleNotFound = (id: string) => new DirectoryException(DirectoryErrorCode.RoleNotFound, `No role ${id}`);
export const userNotFound = (id: string) => new DirectoryException(DirectoryErrorCode.UserNotFound, `No user ${id}`);
