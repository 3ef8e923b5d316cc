import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { requireMember } from "./find-workspace.js";
import type { MembershipResult } from "./membership-result.js";
import { lockOwners, refuseLastOwner } from "./owners.js";
import type { Role } from "./roles.js";

export interface SetMemberRoleInput {
  workspaceId: string;
  email: string;
  role: Role;
  actor: Actor;
}

/** Changes a member's role. Demoting the only owner is refused (`last_owner`); an unchanged role is a no-op. */
export async function setMemberRole(db: Db, input: SetMemberRoleInput): Promise<MembershipResult> {
  return db.$transaction(async (tx) => {
    const owners = await lockOwners(tx, input.workspaceId);
    const { workspace, user, membership } = await requireMember(tx, input.workspaceId, input.email);
    if (membership.role === input.role) return { id: membership.id, status: "active" };
    if (input.role !== "owner") refuseLastOwner(owners, membership.role);
    await tx.membership.update({ where: { id: membership.id }, data: { role: input.role } });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "membership.role_changed",
      target: { type: "membership", id: membership.id },
      details: { email: user.email, role: input.role, previous_role: membership.role },
    });
    return { id: membership.id, status: "active" };
  });
}
