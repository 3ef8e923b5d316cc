import type { AccessScope } from "../access/access-scope.js";
import { ValidationError } from "../errors/app-error.js";
import { afterPosition, newestFirst } from "../http/pagination.js";
import type { WebhookDeps } from "./deps.js";
import { findWebhook } from "./find-webhook.js";
import { type DeliveryView, toDeliveryView, withDeliveryRelations } from "./webhook-view.js";

export interface DeliveryPage {
  /** 1 to 100. */
  limit: number;
  /** The id of the last delivery of the previous page. */
  startingAfter?: string;
}

/** An endpoint's deliveries, newest first, each with its attempts (newest first). */
export async function listDeliveries(
  deps: WebhookDeps,
  scope: AccessScope,
  webhookId: string,
  page: DeliveryPage,
): Promise<{ data: DeliveryView[]; has_more: boolean }> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 100) throw new ValidationError("limit must be an integer from 1 to 100.");
  const webhook = await findWebhook(deps, scope, webhookId);
  let after = null;
  if (page.startingAfter !== undefined) {
    after = await deps.db.webhookDelivery.findFirst({ where: { id: page.startingAfter, endpointId: webhook.id }, select: { id: true, createdAt: true } });
    if (!after) throw new ValidationError("starting_after is not a delivery of this webhook.");
  }
  const rows = await deps.db.webhookDelivery.findMany({
    where: { endpointId: webhook.id, ...afterPosition(after) },
    include: withDeliveryRelations,
    orderBy: newestFirst(),
    take: page.limit + 1,
  });
  return { data: rows.slice(0, page.limit).map(toDeliveryView), has_more: rows.length > page.limit };
}
