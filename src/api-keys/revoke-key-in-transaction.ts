import { type Actor, type AuditTx, recordAudit } from "../audit/audit-log.js";
import type { RecordChange } from "../change-feed/record-changes.js";
import type { Db } from "../db/client.js";
import { type ApiKeyRow, withKeyRelations } from "./api-key-view.js";

type Tx = Pick<Db, "apiKey"> & AuditTx;

/**
 * Inside a withChanges transaction: revokes one key (unless it already is), writing its audit entry and
 * recording the change. Returns the key as it now is (found within `visible`, which defaults to `scope`: a caller
 * may see keys it may not change), and whether this call changed it; null when no key matches.
 */
export async function revokeKeyInTransaction(
  tx: Tx,
  recordChange: RecordChange,
  scope: { id: string; workspaceId?: { in: string[] } },
  actor: Actor,
  now: Date,
  visible: { id: string; workspaceId?: { in: string[] } } = scope,
): Promise<{ row: ApiKeyRow; changed: boolean } | null> {
  const updated = await tx.apiKey.updateMany({
    where: { ...scope, status: { not: "revoked" } },
    data: { status: "revoked", revokedAt: now },
  });
  const row = await tx.apiKey.findFirst({ where: visible, include: withKeyRelations });
  if (!row) return null;
  if (updated.count > 0) {
    await recordAudit(tx, {
      workspaceId: row.workspaceId,
      actor,
      action: "api_key.revoked",
      target: { type: "api_key", id: row.id },
      details: { name: row.name, prefix: row.prefix },
    });
    await recordChange("api_key", row.id);
  }
  return { row, changed: updated.count > 0 };
}
