import { type Actor, recordAudit } from "../audit/audit-log.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import { withChanges } from "../change-feed/record-changes.js";
import type { AuthorizedAppDeps } from "./deps.js";
import { recomputeRecordScopes } from "./live-scopes.js";

export interface Approval {
  clientId: string;
  workspaceId: string;
  /** The person who approved (recorded as the record's approver). */
  userId: string;
  /** The /v1 scopes this approval granted. */
  scopes: string[];
  /** The new oidc-provider grant this approval created; never shared with another approval. */
  grantId: string;
  actor: Actor;
}

/**
 * Writes an approval into the registry: the active record of this (app, workspace) gets the new approver, or
 * a new record is created (also after a revocation, which stays as history). The grant is linked to the
 * record either way, and the record's scopes become the union over its live grants (see live-scopes.ts).
 * Returns the record id.
 */
export async function recordApproval(deps: AuthorizedAppDeps, approval: Approval): Promise<string> {
  try {
    return await write(deps, approval);
  } catch (err) {
    // Two approvals raced to create the record: the loser links its grant to the winner's record.
    if (!isUniqueViolation(err, "AuthorizedApp")) throw err;
    return write(deps, approval);
  }
}

async function write(deps: AuthorizedAppDeps, approval: Approval): Promise<string> {
  const activeKey = `${approval.clientId}:${approval.workspaceId}`;
  return withChanges(deps, async (tx, recordChange) => {
    const existing = await tx.authorizedApp.findUnique({ where: { activeKey }, include: { client: true } });
    const record = existing
      ? await tx.authorizedApp.update({
          where: { id: existing.id },
          data: { approvedById: approval.userId },
          include: { client: true },
        })
      : await tx.authorizedApp.create({
          data: {
            clientId: approval.clientId,
            workspaceId: approval.workspaceId,
            approvedById: approval.userId,
            scopes: "",
            activeKey,
          },
          include: { client: true },
        });
    await tx.authorizedAppGrant.create({
      data: { grantId: approval.grantId, authorizedAppId: record.id, scopes: approval.scopes.join(" ") },
    });
    const liveScopes = await recomputeRecordScopes(tx, record.id);
    await recordAudit(tx, {
      workspaceId: approval.workspaceId,
      actor: approval.actor,
      action: "authorized_app.authorized",
      target: { type: "authorized_app", id: record.id },
      details: { app_name: record.client.name, client_id: approval.clientId, scopes: approval.scopes, renewed: Boolean(existing), record_scopes: liveScopes },
    });
    await recordChange("authorized_app", record.id);
    return record.id;
  });
}
