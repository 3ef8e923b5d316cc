import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { countLiveGrantArtifacts } from "./grant-storage.js";
import { withChanges } from "../change-feed/record-changes.js";
import type { AuthorizedAppDeps, RevokedReason } from "./deps.js";
import { lockRecord, recomputeRecordScopes } from "./live-scopes.js";

/**
 * A grant whose code may not have been redeemed yet counts as live for this long after approval, so an
 * app that is still completing one connection is not marked revoked because an older grant ended.
 */
const PENDING_APPROVAL_MS = 5 * 60_000;

/** Who ended a grant on the authorization server's side: the app (token revocation) or the system, and why. */
export type GrantEnd = { by: "app" } | { by: "system"; reason: RevokedReason };

/**
 * The authorization server ended a grant on its own: a replayed code, a reused refresh token, a sign-out,
 * or the app revoking its token. The link is marked ended and the record's scopes shrink to the union of
 * its remaining live grants; when it has no live grant left it becomes revoked, by `app` or by `system`
 * with the reason.
 */
export async function recordGrantRevoked(deps: AuthorizedAppDeps, grantId: string, end: GrantEnd): Promise<void> {
  const now = new Date();
  await withChanges(deps, async (tx, recordChange) => {
    const link = await tx.authorizedAppGrant.findUnique({ where: { grantId }, include: { authorizedApp: { include: { client: true } } } });
    if (!link) return;
    const record = link.authorizedApp;
    // The record before its grants, in the same order as approvals and revocations take them (no deadlock).
    await lockRecord(tx, record);
    await tx.authorizedAppGrant.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } });
    await recordChange("grant", grantId);
    if (record.status !== "active") return;

    const others = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: record.id, revokedAt: null } });
    const stillLive =
      others.some((g) => now.getTime() - g.createdAt.getTime() < PENDING_APPROVAL_MS) ||
      (await countLiveGrantArtifacts(tx, others.map((g) => g.grantId), now)) > 0;
    if (stillLive) {
      await recomputeRecordScopes(tx, record.id);
      return;
    }
    // A revoked record keeps the scopes it had when it ended, as history.

    const reason = end.by === "system" ? end.reason : null;
    const updated = await tx.authorizedApp.updateMany({
      where: { id: record.id, status: "active" },
      data: {
        status: "revoked",
        revokedAt: now,
        revokedBy: end.by,
        revokedByName: end.by === "app" ? record.client.name : null,
        revokedReason: reason,
        activeKey: null,
      },
    });
    if (updated.count === 0) return;
    await recordAudit(tx, {
      workspaceId: record.workspaceId,
      actor: end.by === "app" ? { type: "app", id: record.clientId, label: record.client.name } : SYSTEM,
      action: "authorized_app.revoked",
      target: { type: "authorized_app", id: record.id },
      details: { app_name: record.client.name, client_id: record.clientId, revoked_by: end.by, ...(reason ? { reason } : {}) },
    });
    await recordChange("authorized_app", record.id);
  });
}
