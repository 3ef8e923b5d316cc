import { Router } from "express";
import type { AppContext } from "../context.js";
import { pageHeaders } from "../http/security-headers.js";
import type { PageKit } from "../sessions/page-kit.js";
import { accountRoutes } from "./account-routes.js";
import { invitationsSettingsRoutes } from "./invitations-routes.js";
import { activityRoutes } from "./activity-routes.js";
import { apiKeysRoutes } from "./api-keys-routes.js";
import { authorizedAppsRoutes } from "./authorized-apps-routes.js";
import { membersRoutes } from "./members-routes.js";
import { disabledWebhooksBanner } from "./webhook-banner.js";
import { webhookPageRoutes } from "./webhook-page-routes.js";
import { webhooksRoutes } from "./webhooks-routes.js";

/**
 * The Settings pages (/settings/…): signed-in only, CSRF-checked on every POST, never framed or cached.
 * The body parsers are scoped to /settings so that they never run in front of the OAuth provider.
 */
export function settingsRouter(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  router.use("/settings", pageHeaders(), ...kit.base, kit.requireUser, kit.csrfProtect, disabledWebhooksBanner(ctx));
  router.get("/settings", (_req, res) => res.redirect(303, "/settings/api-keys"));
  router.use(apiKeysRoutes(ctx, kit));
  router.use(authorizedAppsRoutes(ctx, kit));
  router.use(membersRoutes(ctx, kit));
  router.use(activityRoutes(ctx, kit));
  router.use(accountRoutes(ctx, kit));
  router.use(invitationsSettingsRoutes(ctx, kit));
  router.use(webhooksRoutes(ctx, kit));
  router.use(webhookPageRoutes(ctx, kit));
  return router;
}
