import { ForbiddenError } from "../errors/app-error.js";
import { ADMIN_ROLES } from "../workspaces/administered-workspaces.js";

export const MANAGERS_ONLY = "Only owners and admins of this workspace can manage its members.";
export const OWNERS_ONLY = "Only owners can make someone an owner or change or remove an owner.";

/**
 * Who may change whose membership: owners and admins manage members; only owners make, demote or remove owners.
 * `actorRole` is the acting person's role in the workspace as read in the same transaction (null: not a member);
 * `newRole` is null for a removal. The command-line operator is not a person and skips this check.
 */
export function requireMayChange(actorRole: string | null, targetRole: string, newRole: string | null): void {
  if (!actorRole || !ADMIN_ROLES.includes(actorRole)) throw new ForbiddenError(MANAGERS_ONLY);
  if ((targetRole === "owner" || newRole === "owner") && actorRole !== "owner") throw new ForbiddenError(OWNERS_ONLY, "owner_required");
}

/** Whether a role change takes admin rights away (so the review of what the person leaves applies). */
export function isOffboarding(previousRole: string, newRole: string | null): boolean {
  return newRole === null || (newRole === "member" && previousRole !== "member");
}
