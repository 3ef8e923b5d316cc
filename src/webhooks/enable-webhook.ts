import type { AccessScope } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import { noteEnqueued } from "../webhook-outbox/outbox-wake.js";
import type { WebhookDeps } from "./deps.js";
import { urlForAudit } from "./endpoint-url.js";
import { managedEndpoint } from "./find-webhook.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";

/**
 * Enables an endpoint the system disabled: it receives new events again, and is disabled again only if a delivery
 * queued from now on exhausts its retries with no success since it was queued. Deliveries failed by the
 * disabling are not replayed; resend the ones that matter. Enabling an enabled endpoint changes nothing.
 */
export async function enableWebhook(deps: WebhookDeps, scope: AccessScope, id: string, actor: Actor): Promise<WebhookView> {
  const now = new Date();
  const row = await deps.db.$transaction(async (tx) => {
    const before = await managedEndpoint(tx, scope, id);
    if (before.status === "enabled") return before;
    const updated = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: { status: "enabled", disabledAt: null, disabledReason: null },
    });
    // A delivery queued in the instant the endpoint was being disabled is still pending: send it now.
    const resumed = await tx.webhookDelivery.updateMany({ where: { endpointId: before.id, status: "pending" }, data: { nextAttemptAt: now } });
    if (resumed.count) noteEnqueued(tx);
    await recordAudit(tx, {
      workspaceId: before.workspaceId,
      actor,
      action: "webhook.enabled",
      target: { type: "webhook", id: before.id },
      details: { url: urlForAudit(before.url), was_disabled_reason: before.disabledReason },
    });
    return updated;
  });
  return toWebhookView(row, now);
}
