import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import { ConflictError, NotFoundError } from "../errors/app-error.js";
import { noteEnqueued } from "../webhook-outbox/outbox-wake.js";
import type { WebhookDeps } from "./deps.js";
import { type DeliveryView, toDeliveryView, withDeliveryRelations } from "./webhook-view.js";

/**
 * Queues the event of a delivery again for the same endpoint, as a new delivery: same event id (`webhook-id`),
 * same body, a fresh retry schedule. A disabled endpoint must be enabled first.
 */
export async function resendDelivery(deps: WebhookDeps, scope: AccessScope, deliveryId: string, actor: Actor): Promise<DeliveryView> {
  const row = await deps.db.$transaction(async (tx) => {
    const original = await tx.webhookDelivery.findFirst({
      where: { id: deliveryId, endpoint: visibleWorkspaces(scope) },
      include: { endpoint: true, event: true },
    });
    if (!original) throw new NotFoundError("delivery");
    const endpoint = requireManaged(scope, "delivery", original.endpoint);
    if (endpoint.status !== "enabled") throw new ConflictError("webhook_disabled", "This webhook is disabled. Enable it first, then resend.");
    const now = new Date();
    const created = await tx.webhookDelivery.create({
      data: { eventId: original.eventId, endpointId: endpoint.id, nextAttemptAt: now, createdAt: now },
      include: withDeliveryRelations,
    });
    noteEnqueued(tx);
    await recordAudit(tx, {
      workspaceId: endpoint.workspaceId,
      actor,
      action: "webhook.delivery_resent",
      target: { type: "webhook", id: endpoint.id },
      details: { event_id: original.eventId, event_type: original.event.type, delivery_id: created.id, resent_from: original.id },
    });
    return created;
  });
  return toDeliveryView(row);
}
