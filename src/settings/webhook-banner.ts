import type { RequestHandler } from "express";
import type { AppContext } from "../context.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { disabledWebhooks } from "../webhooks/list-webhooks.js";
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
      const found: DisabledEndpoint[] = [];
      for (const workspace of viewer.administered) {
        for (const webhook of await disabledWebhooks(deps, scopeOf(viewer), workspace.id)) found.push({ webhook, workspaceName: workspace.name });
      }
      res.locals.disabledWebhooks = found;
    })().then(() => next(), next);
  };
}
