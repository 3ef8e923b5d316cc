import type { Db } from "../db/client.js";
import { enqueueWebhookEvents, type OutboxTx } from "../webhook-outbox/enqueue-webhook-events.js";

/** Who caused an event. `label` is a human-readable name (an email, a key prefix, an app name). */
export interface Actor {
  type: "user" | "api_key" | "app" | "system" | "cli";
  id?: string | null;
  label?: string | null;
}

export interface AuditEntry {
  workspaceId: string | null;
  actor: Actor;
  /** Dotted verb, e.g. `api_key.created`, `authorized_app.revoked`, `membership.added`. */
  action: string;
  target: { type: string; id: string };
  /** Non-secret context shown in the activity list (names, roles, scopes). */
  details?: Record<string, unknown>;
}

export const SYSTEM: Actor = { type: "system", label: "system" };
export const CLI: Actor = { type: "cli", label: "command line" };

/** What recordAudit writes to: the audit log and the webhook outbox (a transaction client, usually). */
export type AuditTx = Pick<Db, "auditEvent"> & OutboxTx;

/**
 * Appends one event to the audit log. Pass a transaction client to record it atomically with the change.
 * A change that is a webhook event (webhook-outbox/events-of-change.ts) also enters the webhook outbox here, in
 * the same transaction, so no use case can forget to announce it.
 */
export async function recordAudit(db: AuditTx, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      workspaceId: entry.workspaceId,
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      actorLabel: entry.actor.label ?? null,
      action: entry.action,
      targetType: entry.target.type,
      targetId: entry.target.id,
      details: entry.details ? JSON.stringify(entry.details) : null,
    },
  });
  await enqueueWebhookEvents(db, entry);
}
