import { type Actor, type AuditTx, recordAudit } from "../audit/audit-log.js";
import type { RecordChange } from "../change-feed/record-changes.js";
import type { Db } from "../db/client.js";
import { destroyGrantData } from "./grant-storage.js";
import type { RevokedBy, RevokedReason } from "./deps.js";

type Tx = Pick<Db, "authorizedApp" | "authorizedAppGrant" | "oidcModel"> & AuditTx;

export interface EndAuthorizations {
  by: RevokedBy;
  actor: Actor;
  now: Date;
  /** Why the system ended it (e.g. the client was deleted); stored on the record and in the audit log. */
  reason?: RevokedReason;
}

/**
 * Inside a transaction: marks the given records revoked (those still active), ends all their grants and
 * deletes every code and token issued under them, and records the changes that make every process drop its
 * cached tokens (delivered after commit by withChanges). Returns the ids of the records that changed.
 */
export async function endAuthorizations(tx: Tx, recordChange: RecordChange, recordIds: string[], end: EndAuthorizations): Promise<string[]> {
  if (recordIds.length === 0) return [];
  const active = await tx.authorizedApp.findMany({
    where: { id: { in: recordIds }, status: "active" },
    include: { client: { select: { name: true } } },
  });
  const changed: string[] = [];
  for (const record of active) {
    const updated = await tx.authorizedApp.updateMany({
      where: { id: record.id, status: "active" },
      data: {
        status: "revoked",
        revokedAt: end.now,
        revokedBy: end.by,
        revokedByUserId: end.by === "user" && end.actor.type === "user" ? (end.actor.id ?? null) : null,
        revokedByName: end.actor.label ?? null,
        revokedReason: end.reason ?? null,
        activeKey: null,
      },
    });
    if (updated.count === 0) continue;
    changed.push(record.id);
    await recordAudit(tx, {
      workspaceId: record.workspaceId,
      actor: end.actor,
      action: "authorized_app.revoked",
      target: { type: "authorized_app", id: record.id },
      details: { app_name: record.client.name, client_id: record.clientId, revoked_by: end.by, ...(end.reason ? { reason: end.reason } : {}) },
    });
  }
  const links = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: { in: recordIds } }, select: { grantId: true } });
  await tx.authorizedAppGrant.updateMany({
    where: { authorizedAppId: { in: recordIds }, revokedAt: null },
    data: { revokedAt: end.now },
  });
  await destroyGrantData(tx, links.map((l) => l.grantId));
  for (const id of recordIds) await recordChange("authorized_app", id);
  return changed;
}
