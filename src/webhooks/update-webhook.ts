import type { AccessScope } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { WebhookDeps } from "./deps.js";
import { normalizeEndpointUrl, urlForAudit } from "./endpoint-url.js";
import { managedEndpoint } from "./find-webhook.js";
import { parseDescription, parseEvents } from "./webhook-input.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";

export interface WebhookChanges {
  url?: unknown;
  events?: unknown;
  description?: unknown;
}

/**
 * Changes an endpoint's URL, events or description (each optional). Pending deliveries go to the new URL;
 * events already queued for a type no longer subscribed are still sent.
 */
export async function updateWebhook(deps: WebhookDeps, scope: AccessScope, id: string, input: WebhookChanges, actor: Actor): Promise<WebhookView> {
  const data = {
    ...(input.url !== undefined ? { url: normalizeEndpointUrl(input.url) } : {}),
    ...(input.events !== undefined ? { events: parseEvents(input.events).join(" ") } : {}),
    ...(input.description !== undefined ? { description: parseDescription(input.description) } : {}),
  };
  const row = await deps.db.$transaction(async (tx) => {
    const before = await managedEndpoint(tx, scope, id);
    const changed = Object.entries(data).filter(([field, value]) => before[field as keyof typeof data] !== value);
    if (!changed.length) return before;
    const updated = await tx.webhookEndpoint.update({ where: { id: before.id }, data });
    await recordAudit(tx, {
      workspaceId: before.workspaceId,
      actor,
      action: "webhook.updated",
      target: { type: "webhook", id: before.id },
      details: {
        url: urlForAudit(updated.url),
        changed: changed.map(([field]) => field),
        ...(data.events !== undefined ? { events: updated.events.split(" ") } : {}),
      },
    });
    return updated;
  });
  return toWebhookView(row);
}
