import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";
import type { WebhookEndpoint } from "../generated/sqlite/client.js";
import type { WebhookDeps } from "./deps.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";

/** One endpoint the scope can see (members of its workspace too); 404 exactly like a missing one outside it. */
export async function findWebhook(deps: WebhookDeps, scope: AccessScope, id: string): Promise<WebhookView> {
  const row = await deps.db.webhookEndpoint.findFirst({ where: { id, ...visibleWorkspaces(scope) } });
  if (!row) throw new NotFoundError("webhook");
  return toWebhookView(row);
}

/** The endpoint row a change may touch: 404 outside the scope, 403 where it is only a member. */
export async function managedEndpoint(db: Pick<Db, "webhookEndpoint">, scope: AccessScope, id: string): Promise<WebhookEndpoint> {
  return requireManaged(scope, "webhook", await db.webhookEndpoint.findFirst({ where: { id, ...visibleWorkspaces(scope) } }));
}
