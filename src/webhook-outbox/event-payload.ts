import type { AuditedChange } from "./events-of-change.js";
import type { WebhookEventType } from "./webhook-events.js";

/**
 * The JSON body of an event (Standard Webhooks' recommended `type`/`timestamp`/`data` envelope). Built only from
 * the audit entry, whose details never hold a secret by design (they are shown in the Activity list).
 */
export function eventPayload(type: WebhookEventType, change: AuditedChange & { workspaceId: string }, at: Date): string {
  return JSON.stringify({
    type,
    timestamp: at.toISOString(),
    data: {
      workspace_id: change.workspaceId,
      object: { type: change.target.type, id: change.target.id },
      actor: { type: change.actor.type, label: change.actor.label ?? null },
      details: change.details ?? {},
    },
  });
}
