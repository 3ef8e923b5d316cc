/** Membership roles. Owners and admins have the same rights over credentials; a workspace keeps at least one owner. */
export const ROLES = ["owner", "admin", "member"] as const;

export type Role = (typeof ROLES)[number];
