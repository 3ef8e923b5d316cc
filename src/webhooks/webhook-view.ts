import { z } from "zod";
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent } from "../generated/sqlite/client.js";
import { WEBHOOK_EVENT_TYPES } from "../webhook-outbox/webhook-events.js";

const timestamp = z.iso.datetime();

/** How an endpoint is shown (Settings, /api, CLI): never a secret, only the current one's last 4 characters. */
export const webhookViewSchema = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    status: z.enum(["enabled", "disabled"]).describe("`disabled` after a delivery exhausted its retries with no success since."),
    disabled_at: timestamp.nullable(),
    disabled_reason: z.string().nullable(),
    secret_hint: z.string().describe("The last 4 characters of the current signing secret, e.g. `…a1b2`."),
    previous_secret_expires_at: timestamp.nullable().describe("While a rotation's overlap lasts, when the previous secret stops signing; else null."),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Webhook" });

export type WebhookView = z.output<typeof webhookViewSchema>;

export function toWebhookView(row: WebhookEndpoint, now = new Date()): WebhookView {
  const overlap = row.previousSecret !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
  return webhookViewSchema.parse({
    id: row.id,
    workspace_id: row.workspaceId,
    url: row.url,
    description: row.description,
    events: row.events.split(" ").filter(Boolean),
    status: row.status,
    disabled_at: row.disabledAt?.toISOString() ?? null,
    disabled_reason: row.disabledReason,
    secret_hint: row.secretHint,
    previous_secret_expires_at: overlap ? row.previousSecretExpiresAt!.toISOString() : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  });
}

export const attemptViewSchema = z.object({
  started_at: timestamp,
  duration_ms: z.number().int(),
  response_status: z.number().int().nullable(),
  error: z.string().nullable().describe("What went wrong, in plain words; null on success."),
  outcome: z.enum(["succeeded", "failed"]),
});

/** One event sent (or to be sent) to one endpoint, with every attempt, newest first. */
export const deliveryViewSchema = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string().describe("The `webhook-id` header: the same on every delivery of the event; de-duplicate on it."),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempt_count: z.number().int(),
    next_attempt_at: timestamp.nullable(),
    created_at: timestamp,
    delivered_at: timestamp.nullable(),
    attempts: z.array(attemptViewSchema),
  })
  .meta({ id: "WebhookDelivery" });

export type DeliveryView = z.output<typeof deliveryViewSchema>;

export type DeliveryRow = WebhookDelivery & { event: WebhookEvent; attempts: WebhookAttempt[] };

/** The relations toDeliveryView needs, attempts newest first. */
export const withDeliveryRelations = { event: true, attempts: { orderBy: [{ startedAt: "desc" as const }, { id: "desc" as const }] } };

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return deliveryViewSchema.parse({
    id: row.id,
    webhook_id: row.endpointId,
    event_id: row.eventId,
    event_type: row.event.type,
    status: row.status,
    attempt_count: row.attemptCount,
    next_attempt_at: row.status === "pending" ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    attempts: row.attempts.map((a) => ({
      started_at: a.startedAt.toISOString(),
      duration_ms: a.durationMs,
      response_status: a.responseStatus,
      error: a.error,
      outcome: a.outcome,
    })),
  });
}
