import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { countLiveGrantArtifacts } from "../oauth/grant-storage.js";
import type { AuthorizedAppDeps } from "./deps.js";

/**
 * A grant whose code may not have been redeemed yet counts as live for this long after approval, so an
 * app that is still completing one connection is not marked revoked because an older grant ended.
 */
const PENDING_APPROVAL_MS = 5 * 60_000;

/**
 * The authorization server ended a grant on its own: a replayed code, a reused refresh token, or the app
 * revoking its token. The link is marked ended; when the record has no live grant left it becomes
 * revoked, by `app` or by `system`.
 */
export async function recordGrantRevoked(deps: AuthorizedAppDeps, grantId: string, by: "app" | "system"): Promise<void> {
  const now = new Date();
  const revokedRecord = await deps.db.$transaction(async (tx) => {
    const link = await tx.authorizedAppGrant.findUnique({ where: { grantId }, include: { authorizedApp: { include: { client: true } } } });
    if (!link) return null;
    await tx.authorizedAppGrant.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } });
    await tx.credentialEvent.create({ data: { kind: "grant", targetId: grantId } });
    const record = link.authorizedApp;
    if (record.status !== "active") return null;

    const others = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: record.id, revokedAt: null } });
    if (others.some((g) => now.getTime() - g.createdAt.getTime() < PENDING_APPROVAL_MS)) return null;
    if ((await countLiveGrantArtifacts(tx, others.map((g) => g.grantId), now)) > 0) return null;

    const updated = await tx.authorizedApp.updateMany({
      where: { id: record.id, status: "active" },
      data: { status: "revoked", revokedAt: now, revokedBy: by, activeKey: null },
    });
    if (updated.count === 0) return null;
    await recordAudit(tx, {
      workspaceId: record.workspaceId,
      actor: by === "app" ? { type: "app", id: record.clientId, label: record.client.name } : SYSTEM,
      action: "authorized_app.revoked",
      target: { type: "authorized_app", id: record.id },
      details: { app_name: record.client.name, client_id: record.clientId, revoked_by: by },
    });
    await tx.credentialEvent.create({ data: { kind: "authorized_app", targetId: record.id } });
    return record.id;
  });
  deps.feed.emit("grant", grantId);
  if (revokedRecord) deps.feed.emit("authorized_app", revokedRecord);
}
