import { Router } from "express";
import { z } from "zod";
import { listAuthorizedApps } from "../authorized-apps/list-authorized-apps.js";
import { revokeAuthorizedApp } from "../authorized-apps/revoke-authorized-app.js";
import type { AppContext } from "../context.js";
import { parseInput } from "../http/validation.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { requireAdministered, scopeOf } from "../workspaces/viewer.js";
import { workspaceScope } from "../access/access-scope.js";

/** GET /api/authorized-apps (exported for the OpenAPI document). */
export const listQuery = z.strictObject({
  workspace: z.string().max(64).optional(),
  status: z.enum(["active", "revoked"]).optional(),
});

/** /api/authorized-apps: the Authorized Apps tab as JSON, revoking through the same service as the CLI. */
export function authorizedAppsApi(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/authorized-apps", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(listQuery, req.query, "query");
    const scope = query.workspace ? workspaceScope([requireAdministered(viewer, query.workspace).id]) : scopeOf(viewer);
    res.json({ data: await listAuthorizedApps(ctx.db, { scope, status: query.status }) });
  });

  router.post("/api/authorized-apps/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(z.strictObject({}), req.body ?? {}, "body");
    const revoked = await revokeAuthorizedApp(
      { db: ctx.db, feed: ctx.feed },
      { id: req.params.id, scope: scopeOf(viewer), by: "user", actor: viewer.actor },
    );
    res.json({ data: revoked });
  });

  return router;
}
