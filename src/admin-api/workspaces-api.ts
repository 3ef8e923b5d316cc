import { Router } from "express";
import type { AppContext } from "../context.js";
import { viewerOf } from "../sessions/viewer-of.js";

/** /api/workspaces: every workspace the viewer belongs to, with their role and whether they manage its credentials. */
export function workspacesApi(ctx: AppContext): Router {
  const router = Router();
  router.get("/api/workspaces", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const view = (can_manage: boolean) => (w: { id: string; name: string; role: string }) => ({
      id: w.id,
      name: w.name,
      role: w.role,
      can_manage,
    });
    const data = [...viewer.administered.map(view(true)), ...viewer.memberOnly.map(view(false))].sort(
      (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
    res.json({ data });
  });
  return router;
}
