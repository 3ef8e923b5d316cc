import crypto from "node:crypto";
import { sha256 } from "../hashing/sha256.js";
import { Router } from "express";
import { parseBearer } from "../credentials/bearer.js";
import { AuthenticationError } from "../errors/app-error.js";
import type { Metrics } from "./metrics.js";

const digest = (value: string) => sha256(value);

/** Whether the request carries `Authorization: Bearer <token>`; compared in constant time. */
function presentsToken(authorization: string | undefined, expected: Buffer): boolean {
  const presented = digest(parseBearer(authorization));
  return crypto.timingSafeEqual(presented, expected);
}

/**
 * `GET /metrics` in the Prometheus text format. With METRICS_TOKEN set, the scraper must send it as a Bearer
 * token; without it the endpoint is open and the operator keeps it off the public load balancer.
 */
export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const expected = token === undefined ? undefined : digest(token);
  const router = Router();
  router.get("/metrics", async (req, res) => {
    if (expected && !presentsToken(req.get("authorization"), expected)) {
      throw new AuthenticationError("invalid_access_token", "The metrics token is missing or wrong.");
    }
    res.set("Cache-Control", "no-store").type(metrics.contentType).send(await metrics.exposition());
  });
  return router;
}
