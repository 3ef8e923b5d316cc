import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { type Tx, withChanges } from "../change-feed/record-changes.js";
import type { ApiKeyDeps } from "./deps.js";

/** The system's Activity entry (and webhook event) for a key's expiry, written in the transaction that claimed it. */
export async function auditExpiry(tx: Tx, id: string, action: "api_key.expiring_soon" | "api_key.expired"): Promise<void> {
  const key = await tx.apiKey.findUniqueOrThrow({ where: { id } });
  await recordAudit(tx, {
    workspaceId: key.workspaceId,
    actor: SYSTEM,
    action,
    target: { type: "api_key", id },
    details: { name: key.name, prefix: key.prefix, expires_at: key.expiresAt },
  });
}

/**
 * Marks one key expired if it is past its expiry and still active. The conditional update makes the
 * audit entry appear exactly once, whichever process or request gets there first.
 */
export async function expireApiKey(deps: ApiKeyDeps, id: string, now = new Date()): Promise<boolean> {
  return withChanges(deps, async (tx, recordChange) => {
    const { count } = await tx.apiKey.updateMany({
      where: { id, status: "active", expiresAt: { lte: now } },
      data: { status: "expired" },
    });
    if (count === 0) return false;
    await auditExpiry(tx, id, "api_key.expired");
    await recordChange("api_key", id);
    return true;
  });
}

/** Writes down every key that expired unused, so lists and the audit log show it. */
export async function expireDueApiKeys(deps: ApiKeyDeps, now = new Date()): Promise<number> {
  const due = await deps.db.apiKey.findMany({
    where: { status: "active", expiresAt: { lte: now } },
    select: { id: true },
    take: 500,
  });
  let count = 0;
  for (const { id } of due) if (await expireApiKey(deps, id, now)) count++;
  return count;
}
