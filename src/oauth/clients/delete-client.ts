import { type Actor, recordAudit } from "../../audit/audit-log.js";
import { endAuthorizations } from "../../authorized-apps/end-authorizations.js";
import type { AuthorizedAppDeps } from "../../authorized-apps/deps.js";
import { withChanges } from "../../change-feed/record-changes.js";
import { NotFoundError } from "../../errors/app-error.js";
import { type ClientView, toClientView } from "./client-view.js";

/**
 * Deletes an approved app: it can no longer authenticate or start a connection, every authorization it
 * holds is revoked (by `system`) with all its grants and tokens, and the records stay as history.
 * Deleting twice succeeds.
 */
export async function deleteClient(deps: AuthorizedAppDeps, target: { id: string; actor: Actor }): Promise<ClientView> {
  const now = new Date();
  const row = await withChanges(deps, async (tx, recordChange) => {
    const current = await tx.oAuthClient.findUnique({ where: { id: target.id } });
    if (!current) throw new NotFoundError("client");
    const updated = await tx.oAuthClient.updateMany({
      where: { id: target.id, status: "active" },
      data: { status: "deleted", deletedAt: now, secretDigest: null },
    });
    const records = await tx.authorizedApp.findMany({ where: { clientId: target.id }, select: { id: true } });
    const revoked = await endAuthorizations(
      tx,
      recordChange,
      records.map((r) => r.id),
      { by: "system", actor: target.actor, now, reason: "client_deleted" },
    );
    if (updated.count > 0) {
      await recordAudit(tx, {
        workspaceId: null,
        actor: target.actor,
        action: "client.deleted",
        target: { type: "client", id: target.id },
        details: { name: current.name, authorizations_revoked: revoked.length },
      });
      await recordChange("client", target.id);
    }
    return tx.oAuthClient.findUniqueOrThrow({ where: { id: target.id } });
  });
  return toClientView(row);
}
