import { ValidationError } from "../errors/app-error.js";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../webhook-outbox/webhook-events.js";

export const MAX_DESCRIPTION = 200;

/** A non-empty list of catalogued event types, without repeats, in catalogue order. */
export function parseEvents(input: unknown): WebhookEventType[] {
  if (!Array.isArray(input) || input.length === 0) throw new ValidationError("events must list at least one event type.");
  const given: unknown[] = input;
  const unknown = given.find((e) => typeof e !== "string" || !isWebhookEventType(e));
  if (unknown !== undefined) {
    throw new ValidationError(`events: ${JSON.stringify(unknown)} is not an event type (one of ${WEBHOOK_EVENT_TYPES.join(", ")}).`);
  }
  return WEBHOOK_EVENT_TYPES.filter((t) => given.includes(t));
}

/** Trimmed; empty means none. */
export function parseDescription(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== "string") throw new ValidationError("description must be text.");
  const text = input.trim();
  if (text.length > MAX_DESCRIPTION) throw new ValidationError(`description must be at most ${MAX_DESCRIPTION} characters.`);
  return text || null;
}
