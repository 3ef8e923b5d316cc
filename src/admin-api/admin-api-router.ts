import { Router } from "express";
import type { AppContext } from "../context.js";
import { pageHeaders } from "../http/security-headers.js";
import type { PageKit } from "../sessions/page-kit.js";
import { accountApi } from "./account-api.js";
import { activityApi } from "./activity-api.js";
import { apiKeysApi } from "./api-keys-api.js";
import { authorizedAppsApi } from "./authorized-apps-api.js";
import { membersApi } from "./members-api.js";
import { invitationsApi } from "./invitations-api.js";
import { webhooksApi } from "./webhooks-api.js";
import { workspacesApi } from "./workspaces-api.js";

/**
 * /api: the Settings operations as JSON for a signed-in session (dashboards, scripts). Every state change needs
 * the `x-csrf-token` header from GET /api/csrf-token. Errors use the /v1 envelope (the renderer does that for /api/).
 * The body parsers are scoped to /api so that they never run in front of the OAuth provider.
 */
export function adminApiRouter(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  router.use("/api", pageHeaders(), ...kit.base, kit.requireUser, kit.csrfProtect);
  router.get("/api/csrf-token", (req, res) => {
    res.json({ token: kit.csrfToken(req, res) });
  });
  router.use(workspacesApi(ctx));
  router.use(apiKeysApi(ctx));
  router.use(authorizedAppsApi(ctx));
  router.use(membersApi(ctx));
  router.use(activityApi(ctx));
  router.use(accountApi(ctx));
  router.use(invitationsApi(ctx));
  router.use(webhooksApi(ctx));
  return router;
}
