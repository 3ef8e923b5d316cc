import { Router } from "express";
import type { AppContext } from "../context.js";
import { databaseKind } from "../db/client.js";
import { probeWrite } from "../db/write-probe.js";

/**
 * `/health`: liveness, never touches the database. `/ready`: the database can take a write now (answered within
 * two seconds, waiting asynchronously, so a busy database never holds up other requests).
 */
export function healthRouter(ctx: AppContext): Router {
  const router = Router();
  const kind = databaseKind(ctx.config.databaseUrl);
  router.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/ready", async (req, res) => {
    try {
      await probeWrite(ctx.db, kind);
      res.json({ status: "ready" });
    } catch (err) {
      req.log.warn({ err }, "readiness check failed");
      res.status(503).json({ status: "unavailable" });
    }
  });
  return router;
}
