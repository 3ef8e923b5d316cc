import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ConflictError } from "../errors/app-error.js";
import { type InvitationView, invitationView } from "./invitation-view.js";

/**
 * Revokes a pending invitation the scope manages (404 outside it, 403 for a member's view); the link stops
 * working at once.
 * Revoking one already revoked is a no-op that answers the same; an accepted one cannot be revoked (remove the
 * member instead).
 */
export async function revokeInvitation(
  db: Db,
  input: { id: string; scope: AccessScope; actor: Actor },
): Promise<InvitationView> {
  return db.$transaction(async (tx) => {
    const row = requireManaged(
      input.scope,
      "invitation",
      await tx.invitation.findFirst({ where: { id: input.id, ...visibleWorkspaces(input.scope) } }),
    );
    if (row.status === "revoked") return invitationView(row);
    if (row.status === "accepted") {
      throw new ConflictError("invitation_accepted", "This invitation was already accepted; remove the member instead.");
    }
    const now = new Date();
    const ended = await tx.invitation.updateMany({
      where: { id: row.id, status: "pending" },
      data: { status: "revoked", revokedAt: now, revokedByName: input.actor.label ?? null },
    });
    if (ended.count === 0) {
      throw new ConflictError("invitation_accepted", "This invitation was accepted meanwhile; remove the member instead.");
    }
    await recordAudit(tx, {
      workspaceId: row.workspaceId,
      actor: input.actor,
      action: "invitation.revoked",
      target: { type: "invitation", id: row.id },
      details: { email: row.email, role: row.role },
    });
    return invitationView({ ...row, status: "revoked", revokedAt: now });
  });
}
