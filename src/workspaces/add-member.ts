import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ConflictError } from "../errors/app-error.js";
import { requireUserByEmail } from "../users/find-user-by-email.js";
import { requireWorkspace } from "./find-workspace.js";
import type { MembershipResult } from "./membership-result.js";
import type { Role } from "./roles.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export interface AddMemberInput {
  workspaceId: string;
  email: string;
  role: Role;
  actor: Actor;
}

/** Adds an existing user to a workspace with a role; a user already in it is `already_member`. */
export async function addMember(db: Db, input: AddMemberInput): Promise<MembershipResult> {
  const workspace = await requireWorkspace(db, input.workspaceId);
  const user = await requireUserByEmail(db, input.email);
  try {
    return await db.$transaction(async (tx) => {
      const membership = await tx.membership.create({
        data: { workspaceId: workspace.id, userId: user.id, role: input.role },
      });
      await recordAudit(tx, {
        workspaceId: workspace.id,
        actor: input.actor,
        action: "membership.added",
        target: { type: "membership", id: membership.id },
        details: { email: user.email, role: input.role },
      });
      return { id: membership.id, status: "active" as const };
    });
  } catch (err) {
    // The unique (workspace, user) index is the check, so two concurrent adds cannot both succeed.
    if (isUniqueViolation(err, "Membership")) {
      throw new ConflictError("already_member", "This user is already a member of the workspace; use set-role.");
    }
    throw err;
  }
}
