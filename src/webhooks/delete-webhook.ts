import type { AccessScope } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { WebhookDeps } from "./deps.js";
import { urlForAudit } from "./endpoint-url.js";
import { managedEndpoint } from "./find-webhook.js";

/** Deletes an endpoint with its deliveries and their attempts; an attempt in flight finishes and records nothing. */
export async function deleteWebhook(deps: WebhookDeps, scope: AccessScope, id: string, actor: Actor): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const endpoint = await managedEndpoint(tx, scope, id);
    await tx.webhookEndpoint.delete({ where: { id: endpoint.id } });
    await recordAudit(tx, {
      workspaceId: endpoint.workspaceId,
      actor,
      action: "webhook.deleted",
      target: { type: "webhook", id: endpoint.id },
      details: { url: urlForAudit(endpoint.url) },
    });
  });
}
