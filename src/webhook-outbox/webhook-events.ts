/**
 * The catalogue of webhook event types: what an endpoint may subscribe to. It lives below audit/ so the audit
 * writer can turn a change into events in the change's own transaction without a folder cycle.
 */
export const WEBHOOK_EVENT_TYPES = [
  "api_key.created",
  "api_key.rotated",
  "api_key.revoked",
  "api_key.expiring_soon",
  "api_key.expired",
  "authorized_app.authorized",
  "authorized_app.revoked",
  "member.added",
  "member.removed",
  "credential.reported_leaked",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Plain words for each type (the Settings checkboxes, the README). */
export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  "api_key.created": "An API key was created.",
  "api_key.rotated": "An API key got a new secret.",
  "api_key.revoked": "An API key was revoked (with the reason when a leak report revoked it).",
  "api_key.expiring_soon": "An API key expires within 7 days.",
  "api_key.expired": "An API key reached its expiry.",
  "authorized_app.authorized": "Someone connected an app to the workspace (or renewed its approval).",
  "authorized_app.revoked": "An app's access to the workspace was revoked.",
  "member.added": "Someone joined the workspace.",
  "member.removed": "Someone was removed from the workspace.",
  "credential.reported_leaked": "A credential was reported leaked or found in public, and revoked.",
};

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
