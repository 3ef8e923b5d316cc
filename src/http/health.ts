import { Router } from "express";
import type { AppContext } from "../context.js";

/** `/health`: liveness, never touches the database. `/ready`: the database answers. */
export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  router.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/ready", async (req, res) => {
    try {
      await ctx.db.$queryRawUnsafe("SELECT 1");
      res.json({ status: "ready" });
    } catch (err) {
      req.log.warn({ err }, "readiness check failed");
      res.status(503).json({ status: "unavailable" });
    }
  });
  return router;
}
