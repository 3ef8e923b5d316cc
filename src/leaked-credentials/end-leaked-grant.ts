import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { destroyGrantData } from "../authorized-apps/grant-storage.js";
import { lockRecord } from "../authorized-apps/live-scopes.js";
import { settleRecordAfterGrantEnded } from "../authorized-apps/record-grant-revoked.js";
import { withChanges } from "../change-feed/record-changes.js";
import type { LeakDeps } from "./deps.js";
import { leakDetails, type ReportedLeak } from "./leak.js";

/** Leaked OAuth credentials we end: what a holder can use at /v1 or the token endpoint. */
const TOKEN_MODELS = ["AccessToken", "RefreshToken"];

/**
 * The grants that live access or refresh tokens among `tokens` were issued under. Only digests are stored,
 * and both models share one digest of the value, so one query finds either.
 */
export async function findLiveTokenGrants(deps: LeakDeps, tokens: string[], now = new Date()): Promise<Set<string>> {
  if (tokens.length === 0) return new Set();
  const rows = await deps.db.oidcModel.findMany({
    where: { id: { in: tokens.map((t) => deps.tokens.storageId(t)) }, type: { in: TOKEN_MODELS }, consumedAt: null, grantId: { not: null } },
    select: { grantId: true, expiresAt: true },
  });
  return new Set(rows.filter((r) => r.expiresAt === null || r.expiresAt > now).map((r) => r.grantId!));
}

/**
 * Ends one grant because a token issued under it leaked: every code and token of that grant is deleted and
 * its registry link ends, while the app's other grants (another connection, another device) go on; the
 * authorized-app record is revoked only when no live grant is left (see settleRecordAfterGrantEnded).
 * Recorded in the activity with the leak's reason and reporter.
 */
export async function endLeakedGrant(deps: LeakDeps, grantId: string, leak: ReportedLeak): Promise<void> {
  const now = new Date();
  await withChanges(deps, async (tx, recordChange) => {
    const link = await tx.authorizedAppGrant.findUnique({ where: { grantId }, include: { authorizedApp: { include: { client: true } } } });
    await destroyGrantData(tx, [grantId]);
    await recordChange("grant", grantId);
    if (!link) return;
    const record = link.authorizedApp;
    // The record before its grants, in the order approvals and revocations take them (no deadlock).
    await lockRecord(tx, record);
    const { count } = await tx.authorizedAppGrant.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return;
    await recordAudit(tx, {
      workspaceId: record.workspaceId,
      actor: SYSTEM,
      action: "authorized_app.grant_revoked",
      target: { type: "authorized_app", id: record.id },
      details: { app_name: record.client.name, client_id: record.clientId, ...leakDetails(leak) },
    });
    await settleRecordAfterGrantEnded(tx, recordChange, record, { by: "system", reason: "reported_leaked", details: leakDetails(leak) }, now);
  });
}
