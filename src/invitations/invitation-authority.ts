import type { Actor } from "../audit/audit-log.js";
import { ForbiddenError } from "../errors/app-error.js";
import type { Role } from "../workspaces/roles.js";

/**
 * Who is inviting, and with what standing in the workspace: an owner or admin there (from their membership,
 * read fresh for this request), or the operator at the command line.
 */
export interface Inviter {
  actor: Actor;
  /** The inviter's role in the workspace, or "operator" for the CLI. */
  standing: Role | "operator";
}

/** Owners and admins invite; only an owner (or the operator) may invite another owner. */
export function requireMayInvite(inviter: Inviter, role: Role): void {
  if (inviter.standing === "member") {
    throw new ForbiddenError("Only owners and admins of this workspace can invite members.");
  }
  if (role === "owner" && inviter.standing === "admin") {
    throw new ForbiddenError("Only owners can invite an owner.", "owner_required");
  }
}
