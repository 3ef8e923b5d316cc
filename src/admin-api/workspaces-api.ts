import { Router } from "express";
import type { AppContext } from "../context.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { toMemberWorkspaceView } from "../workspaces/workspace-view.js";

/** /api/workspaces: every workspace the viewer belongs to, with their role and whether they manage its credentials. */
export function workspacesApi(ctx: AppContext): Router {
  const router = Router();
  router.get("/api/workspaces", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const view = (canManage: boolean) => (w: { id: string; name: string; role: string }) => toMemberWorkspaceView(w, canManage);
    const data = [...viewer.administered.map(view(true)), ...viewer.memberOnly.map(view(false))].sort(
      (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
    res.json({ data });
  });
  return router;
}
