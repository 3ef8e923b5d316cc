import crypto from "node:crypto";
import type { Db } from "../db/client.js";
import { eventPayload } from "./event-payload.js";
import { type AuditedChange, eventsOfChange } from "./events-of-change.js";
import { noteEnqueued } from "./outbox-wake.js";

export type OutboxTx = Pick<Db, "webhookEndpoint" | "webhookEvent">;

/** A Standard Webhooks message id: the `webhook-id` header, the same on every delivery of the event. */
export function newEventId(): string {
  return `msg_${crypto.randomBytes(16).toString("base64url")}`;
}

/**
 * The outbox: inside the change's transaction, one WebhookEvent per event type the change produces and one
 * pending WebhookDelivery per enabled endpoint of the workspace subscribed to it. Nothing is written when no
 * endpoint listens (disabled endpoints get no new deliveries; see the README's "Webhooks: delivery").
 */
export async function enqueueWebhookEvents(tx: OutboxTx, change: AuditedChange, now = new Date()): Promise<void> {
  const types = eventsOfChange(change);
  const workspaceId = change.workspaceId;
  if (!types.length || !workspaceId) return;
  const endpoints = await tx.webhookEndpoint.findMany({ where: { workspaceId, status: "enabled" }, select: { id: true, events: true } });
  for (const type of types) {
    const subscribed = endpoints.filter((e) => e.events.split(" ").includes(type));
    if (!subscribed.length) continue;
    await tx.webhookEvent.create({
      data: {
        id: newEventId(),
        workspaceId,
        type,
        payload: eventPayload(type, { ...change, workspaceId }, now),
        createdAt: now,
        deliveries: { create: subscribed.map((e) => ({ endpointId: e.id, nextAttemptAt: now, createdAt: now })) },
      },
    });
    noteEnqueued(tx);
  }
}
