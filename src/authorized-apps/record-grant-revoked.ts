import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import type { AuthorizedApp, OAuthClient } from "../generated/sqlite/client.js";
import { countLiveGrantArtifacts } from "../oauth/grant-storage.js";
import type { AuthorizedAppDeps, RevokedReason } from "./deps.js";
import { lockRecord, recomputeRecordScopes } from "./live-scopes.js";

/**
 * A grant whose code may not have been redeemed yet counts as live for this long after approval, so an
 * app that is still completing one connection is not marked revoked because an older grant ended.
 */
const PENDING_APPROVAL_MS = 5 * 60_000;

/** Who ended a grant on the authorization server's side: the app (token revocation) or the system, and why. */
export type GrantEnd = { by: "app" } | { by: "system"; reason: RevokedReason; details?: Record<string, string> };

/**
 * The authorization server ended a grant on its own: a replayed code, a reused refresh token, a sign-out,
 * or the app revoking its token. The link is marked ended and the record's scopes shrink to the union of
 * its remaining live grants; when it has no live grant left it becomes revoked, by `app` or by `system`
 * with the reason.
 */
export async function recordGrantRevoked(deps: AuthorizedAppDeps, grantId: string, end: GrantEnd): Promise<void> {
  const now = new Date();
  const revokedRecord = await deps.db.$transaction(async (tx) => {
    const link = await tx.authorizedAppGrant.findUnique({ where: { grantId }, include: { authorizedApp: { include: { client: true } } } });
    if (!link) return null;
    const record = link.authorizedApp;
    // The record before its grants, in the same order as approvals and revocations take them (no deadlock).
    await lockRecord(tx, record);
    await tx.authorizedAppGrant.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } });
    await tx.credentialEvent.create({ data: { kind: "grant", targetId: grantId } });
    return settleRecordAfterGrantEnded(tx, record, end, now);
  });
  deps.feed.emit("grant", grantId);
  if (revokedRecord) deps.feed.emit("authorized_app", revokedRecord);
}

type Tx = Pick<Db, "authorizedApp" | "authorizedAppGrant" | "oidcModel" | "auditEvent" | "credentialEvent">;

/**
 * Inside the transaction that ended one of a record's grants (after `lockRecord`): the record's scopes shrink to
 * the union of its remaining live grants, and when it has none left it becomes revoked, by `app` or by
 * `system` with the reason. Returns the record's id when it was revoked (the caller emits the change after
 * commit), else null.
 */
export async function settleRecordAfterGrantEnded(
  tx: Tx,
  record: AuthorizedApp & { client: OAuthClient },
  end: GrantEnd,
  now: Date,
): Promise<string | null> {
  if (record.status !== "active") return null;

  const others = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: record.id, revokedAt: null } });
  const stillLive =
    others.some((g) => now.getTime() - g.createdAt.getTime() < PENDING_APPROVAL_MS) ||
    (await countLiveGrantArtifacts(tx, others.map((g) => g.grantId), now)) > 0;
  if (stillLive) {
    await recomputeRecordScopes(tx, record.id);
    return null;
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
  if (updated.count === 0) return null;
  await recordAudit(tx, {
    workspaceId: record.workspaceId,
    actor: end.by === "app" ? { type: "app", id: record.clientId, label: record.client.name } : SYSTEM,
    action: "authorized_app.revoked",
    target: { type: "authorized_app", id: record.id },
    details: {
      app_name: record.client.name,
      client_id: record.clientId,
      revoked_by: end.by,
      ...(reason ? { reason } : {}),
      ...(end.by === "system" ? end.details : {}),
    },
  });
  await tx.credentialEvent.create({ data: { kind: "authorized_app", targetId: record.id } });
  return record.id;
}
