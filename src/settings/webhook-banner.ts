import type { RequestHandler } from "express";
import type { AppContext } from "../context.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { disabledWebhooksToReview } from "../webhooks/list-webhooks.js";
import type { WebhookView } from "../webhooks/webhook-view.js";
import { scopeOf } from "../workspaces/viewer.js";

/** A disabled endpoint as the banner names it: the endpoint and its workspace. */
export interface DisabledEndpoint {
  webhook: WebhookView;
  workspaceName: string;
}

/**
 * Puts the disabled endpoints of the workspaces the viewer administers into `res.locals.disabledWebhooks`, for the
 * banner every Settings page shows (partials/top.ejs). Only owners and admins see it: they are the ones who can
 * review and enable an endpoint again. Pages only: a form post redirects or renders its own result.
 */
export function disabledWebhooksBanner(ctx: AppContext): RequestHandler {
  const deps = ctx.webhooks;
  return (req, res, next) => {
    if (req.method !== "GET") return next();
    (async () => {
      const viewer = await viewerOf(ctx, req);
      const names = new Map(viewer.administered.map((w) => [w.id, w.name]));
      const disabled = await disabledWebhooksToReview(deps, scopeOf(viewer));
      res.locals.disabledWebhooks = disabled.map((webhook): DisabledEndpoint => ({ webhook, workspaceName: names.get(webhook.workspace_id) ?? "" }));
    })().then(() => next(), next);
  };
}
