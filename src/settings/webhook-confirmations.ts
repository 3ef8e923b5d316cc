import type { WebhookView } from "../webhooks/webhook-view.js";
import type { Confirmation } from "./confirmations.js";

/** Confirming a new signing secret, or the deletion of an endpoint. */
export function webhookConfirmation(kind: "rotate" | "delete", webhook: WebhookView): Confirmation {
  const action = `/settings/webhooks/${encodeURIComponent(webhook.id)}/${kind}`;
  if (kind === "rotate") {
    return {
      title: `Rotate the signing secret of ${webhook.url}?`,
      message:
        "A new signing secret replaces the current one, and is shown once. For 24 hours the old secret keeps signing alongside the new one (each request carries both signatures): update your receiver before then." +
        (webhook.previous_secret_expires_at ? " The secret replaced earlier stops signing now." : ""),
      button: "Rotate secret",
      action,
      fields: {},
    };
  }
  return {
    title: `Delete the webhook endpoint ${webhook.url}?`,
    message: "No event is sent to this URL any more, including retries still waiting. Its delivery history goes with it. This cannot be undone.",
    button: "Delete endpoint",
    action,
    fields: {},
  };
}
