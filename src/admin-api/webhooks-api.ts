import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { parseInput } from "../http/validation.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { createWebhook } from "../webhooks/create-webhook.js";
import { deleteWebhook } from "../webhooks/delete-webhook.js";
import { enableWebhook } from "../webhooks/enable-webhook.js";
import { findWebhook } from "../webhooks/find-webhook.js";
import { listDeliveries } from "../webhooks/list-deliveries.js";
import { listWebhooks } from "../webhooks/list-webhooks.js";
import { resendDelivery } from "../webhooks/resend-delivery.js";
import { rotateWebhookSecret } from "../webhooks/rotate-webhook-secret.js";
import { updateWebhook } from "../webhooks/update-webhook.js";
import { WEBHOOK_EVENT_TYPES } from "../webhook-outbox/webhook-events.js";
import { requireAdministered, requireMember, scopeOf } from "../workspaces/viewer.js";
import { limitParam } from "../http/pagination.js";

const events = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length);
const url = z.string().min(1).max(2048).describe("https://…, or http:// for a loopback host only.");
const description = z.string().trim().max(200).nullable();

/** GET /api/webhooks (the request schemas here are exported for the OpenAPI document). */
export const listQuery = z.strictObject({ workspace: z.string().max(64).optional() });
export const createBody = z.strictObject({ workspace_id: z.string().min(1).max(64), url, events, description: description.optional() });
export const updateBody = z
  .strictObject({ url: url.optional(), events: events.optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: "send at least one of url, events, description" });
export const emptyBody = z.strictObject({});
export const deliveriesQuery = z.strictObject({
  limit: limitParam.optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "is not a valid cursor").optional().describe("The `next_cursor` of the previous page."),
});

/** /api/webhooks…: the Webhooks tab as JSON, through the same services and the same workspace checks. */
export function webhooksApi(ctx: AppContext): Router {
  const router = Router();
  const deps = ctx.webhooks;

  router.get("/api/webhooks", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(listQuery, req.query, "query");
    const workspaces = query.workspace ? [requireMember(viewer, query.workspace)] : [...viewer.administered, ...viewer.memberOnly];
    const lists = await Promise.all(workspaces.map((w) => listWebhooks(deps, scopeOf(viewer), w.id)));
    res.json({ data: lists.flat() });
  });

  router.post("/api/webhooks", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(createBody, req.body ?? {}, "body");
    const workspace = requireAdministered(viewer, requireMember(viewer, body.workspace_id).id);
    const created = await createWebhook(deps, scopeOf(viewer), workspace.id, { url: body.url, events: body.events, description: body.description ?? null }, viewer.actor);
    res.status(201).json({ data: { secret: created.secret, webhook: created.webhook } });
  });

  router.get("/api/webhooks/:id", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    res.json({ data: await findWebhook(deps, scopeOf(viewer), String(req.params.id)) });
  });

  router.patch("/api/webhooks/:id", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(updateBody, req.body ?? {}, "body");
    res.json({ data: await updateWebhook(deps, scopeOf(viewer), String(req.params.id), body, viewer.actor) });
  });

  router.delete("/api/webhooks/:id", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    await deleteWebhook(deps, scopeOf(viewer), String(req.params.id), viewer.actor);
    res.status(204).end();
  });

  router.post("/api/webhooks/:id/rotate-secret", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(emptyBody, req.body ?? {}, "body");
    const rotated = await rotateWebhookSecret(deps, scopeOf(viewer), String(req.params.id), viewer.actor);
    res.json({ data: { secret: rotated.secret, webhook: rotated.webhook } });
  });

  router.post("/api/webhooks/:id/enable", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(emptyBody, req.body ?? {}, "body");
    res.json({ data: await enableWebhook(deps, scopeOf(viewer), String(req.params.id), viewer.actor) });
  });

  router.get("/api/webhooks/:id/deliveries", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(deliveriesQuery, req.query, "query");
    const page = await listDeliveries(deps, scopeOf(viewer), String(req.params.id), { limit: query.limit ?? 20, startingAfter: query.cursor });
    res.json({ data: page.data, has_more: page.has_more, next_cursor: page.has_more ? (page.data.at(-1)?.id ?? null) : null });
  });

  router.post("/api/webhook-deliveries/:id/resend", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(emptyBody, req.body ?? {}, "body");
    res.status(202).json({ data: await resendDelivery(deps, scopeOf(viewer), String(req.params.id), viewer.actor) });
  });

  return router;
}
