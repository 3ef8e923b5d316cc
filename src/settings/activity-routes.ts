import { Router } from "express";
import { listActivity } from "../activity/list-activity.js";
import type { AppContext } from "../context.js";
import { decodeCursor } from "../http/pagination.js";
import type { PageKit } from "../sessions/page-kit.js";
import { renderSettings } from "./page.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { administeredIds } from "../workspaces/viewer.js";

const PAGE_SIZE = 50;

/** The Activity tab: the audit log of the workspaces the viewer administers, newest first. */
export function activityRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  router.get("/settings/activity", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    const page = await listActivity(ctx.db, {
      workspaceIds: administeredIds(viewer),
      limit: PAGE_SIZE,
      after: cursor ? decodeCursor(cursor) : null,
    });
    renderSettings(req, res, kit, { tab: "activity", title: "Activity", viewer }, { page, paged: Boolean(cursor) });
  });
  return router;
}
