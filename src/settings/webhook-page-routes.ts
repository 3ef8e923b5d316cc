import { Router } from "express";
import type { AppContext } from "../context.js";
import type { PageKit } from "../sessions/page-kit.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { findWebhook } from "../webhooks/find-webhook.js";
import { listDeliveries } from "../webhooks/list-deliveries.js";
import { resendDelivery } from "../webhooks/resend-delivery.js";
import { WEBHOOK_EVENT_DESCRIPTIONS } from "../webhook-outbox/webhook-events.js";
import { ADMIN_ROLES } from "../workspaces/administered-workspaces.js";
import { memberships, scopeOf } from "../workspaces/viewer.js";
import { renderSettings } from "./page.js";
import { webhookConfirmation } from "./webhook-confirmations.js";

const PAGE_SIZE = 20;
const DELIVERY_ID = /^[A-Za-z0-9_-]{1,64}$/;

const NOTICES: Record<string, string> = {
  enabled: "The endpoint is enabled again. New events are sent to it from now on.",
  resent: "The event was queued again, with the same webhook-id. Its new delivery is at the top of the list.",
};

/** One endpoint's page: its settings and its recent deliveries with every attempt, each delivery resendable. */
export function webhookPageRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  const deps = ctx.webhooks;

  router.get("/settings/webhooks/:id", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const webhook = await findWebhook(deps, scopeOf(viewer), String(req.params.id));
    const after = typeof req.query.after === "string" && DELIVERY_ID.test(req.query.after) ? req.query.after : undefined;
    const deliveries = await listDeliveries(deps, scopeOf(viewer), webhook.id, { limit: PAGE_SIZE, startingAfter: after });
    const workspace = memberships(viewer).find((w) => w.id === webhook.workspace_id);
    renderSettings(req, res, kit, { tab: "webhooks", view: "webhook", title: "Webhooks", viewer }, {
      webhook,
      workspace,
      canManage: workspace ? ADMIN_ROLES.includes(workspace.role) : false,
      deliveries,
      paged: Boolean(after),
      eventDescriptions: WEBHOOK_EVENT_DESCRIPTIONS,
      webhookConfirmation,
      confirm: null,
      notice: NOTICES[typeof req.query.notice === "string" ? req.query.notice : ""] ?? null,
    });
  });

  router.post("/settings/webhooks/deliveries/:id/resend", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const delivery = await resendDelivery(deps, scopeOf(viewer), String(req.params.id), viewer.actor);
    res.redirect(303, `/settings/webhooks/${encodeURIComponent(delivery.webhook_id)}?notice=resent`);
  });

  return router;
}
