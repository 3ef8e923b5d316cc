import { Router } from "express";
import { z } from "zod";
import { listAuthorizedApps } from "../authorized-apps/list-authorized-apps.js";
import { revokeAuthorizedApp } from "../authorized-apps/revoke-authorized-app.js";
import type { AppContext } from "../context.js";
import { parseInput } from "../resources/validation.js";
import { viewerOf } from "../settings/page.js";
import { administeredIds, authorizedAppWorkspace, requireAdministered, requireAdminOfRecord } from "../settings/viewer.js";

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
    const workspaceIds = query.workspace ? [requireAdministered(viewer, query.workspace).id] : administeredIds(viewer);
    res.json({ data: await listAuthorizedApps(ctx.db, { workspaceIds, status: query.status }) });
  });

  router.post("/api/authorized-apps/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(z.strictObject({}), req.body ?? {}, "body");
    await requireAdminOfRecord(viewer, "authorized app", authorizedAppWorkspace(ctx.db, req.params.id));
    const revoked = await revokeAuthorizedApp(
      { db: ctx.db, feed: ctx.feed },
      { id: req.params.id, workspaceIds: administeredIds(viewer), by: "user", actor: viewer.actor },
    );
    res.json({ data: revoked });
  });

  return router;
}
