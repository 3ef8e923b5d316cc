import { Router } from "express";
import { listAuthorizedApps } from "../authorized-apps/list-authorized-apps.js";
import { revokeAuthorizedApp } from "../authorized-apps/revoke-authorized-app.js";
import type { AppContext } from "../context.js";
import type { PageKit } from "../sessions/page-kit.js";
import { appConfirmation } from "./confirmations.js";
import { findAuthorizedApp } from "../authorized-apps/find-authorized-app.js";
import { renderSettings } from "./page.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { requireAdministered, scopeOf, type Viewer } from "../workspaces/viewer.js";
import { workspaceScope } from "../access/access-scope.js";

const NOTICES: Record<string, string> = {
  app_revoked: "Access was revoked. The app’s tokens stopped working immediately.",
};

/** The Authorized Apps tab: the apps connected to one workspace at a time, and revoking them. */
export function authorizedAppsRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  const appsDeps = { db: ctx.db, feed: ctx.feed };

  /** The workspace picked with ?workspace=ID (it must be administered), or the first by name. */
  function selectedWorkspace(viewer: Viewer, requested: unknown) {
    if (typeof requested === "string" && requested) return requireAdministered(viewer, requested);
    return viewer.administered[0] ?? null;
  }

  router.get("/settings/authorized-apps", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const workspace = selectedWorkspace(viewer, req.query.workspace);
    const apps = workspace ? await listAuthorizedApps(ctx.db, { scope: workspaceScope([workspace.id]) }) : [];
    const notice = NOTICES[typeof req.query.notice === "string" ? req.query.notice : ""] ?? null;
    renderSettings(req, res, kit, { tab: "authorized-apps", title: "Authorized Apps", viewer }, {
      workspace,
      apps,
      notice,
      confirm: null,
      appConfirmation,
    });
  });

  router.get("/settings/authorized-apps/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const app = await findAuthorizedApp(ctx.db, req.params.id, scopeOf(viewer));
    const workspace = requireAdministered(viewer, app.workspace_id);
    renderSettings(req, res, kit, { tab: "authorized-apps", title: "Authorized Apps", viewer }, {
      workspace,
      apps: await listAuthorizedApps(ctx.db, { scope: workspaceScope([workspace.id]) }),
      notice: null,
      confirm: appConfirmation(app),
      appConfirmation,
    });
  });

  router.post("/settings/authorized-apps/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const revoked = await revokeAuthorizedApp(appsDeps, {
      id: req.params.id,
      scope: scopeOf(viewer),
      by: "user",
      actor: viewer.actor,
    });
    res.redirect(303, `/settings/authorized-apps?workspace=${encodeURIComponent(revoked.workspace_id)}&notice=app_revoked`);
  });

  return router;
}
