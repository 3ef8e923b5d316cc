import { z } from "zod";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../webhook-outbox/webhook-events.js";

/** The values an endpoint form shows again after a problem: text fields and the checked events. */
export interface WebhookFormValues {
  url: string;
  description: string;
  events: string[];
}

const endpointForm = z.strictObject({
  _csrf: z.string(),
  workspace_id: z.string().max(64).optional(),
  url: z.string().trim().min(1, "Enter the URL that receives the events.").max(2048, "Use a URL of at most 2048 characters."),
  description: z.string().trim().max(200, "Use at most 200 characters for the description.").optional(),
  events: z.union([z.string().max(60), z.array(z.string().max(60)).max(WEBHOOK_EVENT_TYPES.length)]).optional(),
  all_events: z.literal("1").optional(),
});

/** Checked boxes arrive as one string, a list, or nothing. */
function checked(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** What was typed and checked, to show the form again as it was sent. */
export function valuesOf(body: Record<string, unknown>): WebhookFormValues {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const all = body.all_events === "1";
  return { url: text(body.url), description: text(body.description), events: all ? [...WEBHOOK_EVENT_TYPES] : checked(body.events) };
}

/**
 * The endpoint an add or edit form asks for, or the first problem as a sentence for people. "All events" (the
 * select-all box, which works without JavaScript) stands for every event type.
 */
export function parseEndpointForm(
  body: unknown,
): { ok: true; input: { url: string; description: string | null; events: WebhookEventType[] } } | { ok: false; problem: string } {
  const parsed = endpointForm.safeParse(body ?? {});
  if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]?.message ?? "Check the form and try again." };
  const form = parsed.data;
  const events = form.all_events ? [...WEBHOOK_EVENT_TYPES] : checked(form.events);
  const known = events.filter((e): e is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (known.length !== events.length) return { ok: false, problem: "This form is no longer valid. Reload the page and try again." };
  if (!known.length) return { ok: false, problem: "Choose at least one event to send." };
  return { ok: true, input: { url: form.url, description: form.description || null, events: known } };
}
