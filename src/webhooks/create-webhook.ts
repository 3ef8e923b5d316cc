import type { AccessScope } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import { ConflictError } from "../errors/app-error.js";
import type { WebhookDeps } from "./deps.js";
import { normalizeEndpointUrl, urlForAudit } from "./endpoint-url.js";
import { newSigningSecret, secretHint } from "./signing-secret.js";
import { parseDescription, parseEvents } from "./webhook-input.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";
import { requireManagedWorkspace } from "./workspace-access.js";

/** Each endpoint costs a request per event; a workspace rarely needs more than a few. */
export const MAX_WEBHOOKS_PER_WORKSPACE = 20;

export interface WebhookInput {
  url: unknown;
  events: unknown;
  description?: unknown;
}

/** Adds an endpoint to a workspace; returns its signing secret, the only time it is shown. */
export async function createWebhook(
  deps: WebhookDeps,
  scope: AccessScope,
  workspaceId: string,
  input: WebhookInput,
  actor: Actor,
): Promise<{ webhook: WebhookView; secret: string }> {
  const url = normalizeEndpointUrl(input.url);
  const events = parseEvents(input.events);
  const description = parseDescription(input.description);
  await requireManagedWorkspace(deps.db, scope, workspaceId);
  const secret = newSigningSecret();
  const row = await deps.db.$transaction(async (tx) => {
    const count = await tx.webhookEndpoint.count({ where: { workspaceId } });
    if (count >= MAX_WEBHOOKS_PER_WORKSPACE) {
      throw new ConflictError("too_many_webhooks", `A workspace can have at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks. Delete one first.`);
    }
    const created = await tx.webhookEndpoint.create({
      data: { workspaceId, url, description, events: events.join(" "), secret: deps.secrets.seal(secret), secretHint: secretHint(secret) },
    });
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: "webhook.created",
      target: { type: "webhook", id: created.id },
      details: { url: urlForAudit(url), events },
    });
    return created;
  });
  return { webhook: toWebhookView(row), secret };
}
