import type { AccessScope } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { WebhookDeps } from "./deps.js";
import { urlForAudit } from "./endpoint-url.js";
import { managedEndpoint } from "./find-webhook.js";
import { newSigningSecret, PREVIOUS_SECRET_OVERLAP_MS, secretHint } from "./signing-secret.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";

/**
 * Gives an endpoint a new signing secret, shown once. For 24 hours every request carries a signature with the
 * previous secret too (Standard Webhooks allows several), so the receiver can switch at its own pace. A rotation
 * during an overlap ends the older overlap: only the secret it replaces keeps signing.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, scope: AccessScope, id: string, actor: Actor): Promise<{ webhook: WebhookView; secret: string }> {
  const secret = newSigningSecret();
  const now = new Date();
  const row = await deps.db.$transaction(async (tx) => {
    const before = await managedEndpoint(tx, scope, id);
    const previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_OVERLAP_MS);
    const updated = await tx.webhookEndpoint.update({
      where: { id: before.id },
      data: { secret: deps.secrets.seal(secret), secretHint: secretHint(secret), previousSecret: before.secret, previousSecretExpiresAt },
    });
    await recordAudit(tx, {
      workspaceId: before.workspaceId,
      actor,
      action: "webhook.secret_rotated",
      target: { type: "webhook", id: before.id },
      details: { url: urlForAudit(before.url), previous_secret_expires_at: previousSecretExpiresAt },
    });
    return updated;
  });
  return { webhook: toWebhookView(row, now), secret };
}
