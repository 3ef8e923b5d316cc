import { Router } from "express";
import { z } from "zod";
import { listActivity } from "../activity/list-activity.js";
import type { AppContext } from "../context.js";
import { decodeCursor, limitParam } from "../http/pagination.js";
import { parseInput } from "../http/validation.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { administeredIds, requireAdministered } from "../workspaces/viewer.js";

/** GET /api/activity (exported for the OpenAPI document). */
export const activityQuery = z.strictObject({
  workspace: z.string().max(64).optional(),
  limit: limitParam.optional(),
  cursor: z.string().max(200).optional(),
});

/** /api/activity: the audit log of the workspaces the viewer administers, newest first, paged like /v1 lists. */
export function activityApi(ctx: AppContext): Router {
  const router = Router();
  router.get("/api/activity", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(activityQuery, req.query, "query");
    const workspaceIds = query.workspace ? [requireAdministered(viewer, query.workspace).id] : administeredIds(viewer);
    res.json(
      await listActivity(ctx.db, {
        workspaceIds,
        limit: query.limit ?? 50,
        after: query.cursor ? decodeCursor(query.cursor) : null,
      }),
    );
  });
  return router;
}
