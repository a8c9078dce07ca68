// The console's roles and what each may do. An observer records observations and reads records;
// a registrar also issues and revokes (educators, batches, claim links, status changes); an admin
// also loads frameworks and manages people, roles, API tokens and reads the audit log.
import type { Scope } from '../store/tokens.js';

export const ROLES = ['admin', 'registrar', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export type Permission = 'read' | 'observe' | 'issue' | 'revoke' | 'administer';

const GRANTS: Record<Role, readonly Permission[]> = {
  observer: ['read', 'observe'],
  registrar: ['read', 'observe', 'issue', 'revoke'],
  admin: ['read', 'observe', 'issue', 'revoke', 'administer'],
};

export const may = (role: Role, permission: Permission): boolean => GRANTS[role].includes(permission);

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The highest role named by a claim value (a string, a space-separated list, or an array), or undefined. */
export function roleFromClaim(value: unknown): Role | undefined {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return ROLES.find((role) => names.includes(role));
}

/** The role an API token signs in with: the scopes it holds, as a person would hold them. */
export function roleOfScopes(scopes: readonly Scope[]): Role | undefined {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('issue') && scopes.includes('revoke')) return 'registrar';
  if (scopes.includes('observe') || scopes.includes('issue')) return 'observer';
  return undefined;
}

/** The role a person signs in with: the one an admin assigned wins over the identity provider's claim. */
export const effectiveRole = (person: { assignedRole: Role | null; claimedRole: Role | null }): Role | null => person.assignedRole ?? person.claimedRole;
