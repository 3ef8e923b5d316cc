import express, { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { ValidationError } from "../errors/app-error.js";
import { requireJsonBody } from "../http/request-guards.js";
import { perAddressLimit } from "./per-address-limit.js";
import { revokeReportedCredentials } from "./revoke-reported-credentials.js";

export const MAX_REPORTED_CREDENTIALS = 100;
const HOUR = 3_600_000;

const reportBody = z.strictObject({
  credentials: z
    .array(z.string().min(1, "credentials must not hold empty strings.").max(1000, "A credential is at most 1000 characters."), "credentials must be an array of strings.")
    .min(1, "Send at least one credential.")
    .max(MAX_REPORTED_CREDENTIALS, `Send at most ${MAX_REPORTED_CREDENTIALS} credentials per request.`),
});

/**
 * POST /credentials/revoke: anyone holding a leaked credential can kill it. No authentication (holding the
 * credential is the proof), rate-limited per client address across nodes, outside /v1's guards (which refuse
 * credentials in bodies). The answer is always 202 with how many values were received: it never tells which
 * were valid. Timing can tell a little, but a value it confirms is dead by then.
 */
export function credentialRevokeRouter(ctx: AppContext): Router {
  const router = Router();
  router.post(
    "/credentials/revoke",
    perAddressLimit({
      disabled: ctx.config.rateLimit.disabled,
      limit: ctx.config.credentialRevokePerHour,
      windowMs: HOUR,
      store: ctx.rateLimits.store("credential-revoke"),
    }),
    requireJsonBody,
    express.json({ limit: "100kb", strict: false, type: "application/json" }),
    async (req, res) => {
      const parsed = reportBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? "Send { \"credentials\": [\"…\"] }.");
      const { credentials } = parsed.data;
      await revokeReportedCredentials({ db: ctx.db, feed: ctx.feed, tokens: ctx.oauth.accessTokens }, credentials, req.ip ?? "unknown");
      res.status(202).set("Cache-Control", "no-store").json({ received: credentials.length });
    },
  );
  return router;
}
