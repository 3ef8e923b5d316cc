import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { requireMember } from "./find-workspace.js";
import type { MembershipResult } from "./membership-result.js";
import { lockOwners, refuseLastOwner } from "./owners.js";

export interface RemoveMemberInput {
  workspaceId: string;
  email: string;
  actor: Actor;
}

/**
 * Removes a user from a workspace. Removing the only owner is refused (`last_owner`). The workspace's API
 * keys are left alone, including those this member created: keys belong to the workspace.
 */
export async function removeMember(db: Db, input: RemoveMemberInput): Promise<MembershipResult> {
  return db.$transaction(async (tx) => {
    const owners = await lockOwners(tx, input.workspaceId);
    const { workspace, user, membership } = await requireMember(tx, input.workspaceId, input.email);
    refuseLastOwner(owners, membership.role);
    await tx.membership.delete({ where: { id: membership.id } });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "membership.removed",
      target: { type: "membership", id: membership.id },
      details: { email: user.email, role: membership.role },
    });
    return { id: membership.id, status: "removed" };
  });
}
