import express, { type ErrorRequestHandler, Router } from "express";
import type { AppContext } from "../context.js";
import { InvalidRequestError, ValidationError } from "../errors/app-error.js";
import { PartnerSignatureVerifier } from "./partner-signature.js";
import { handleSecretScanningReport, reportSchema } from "./secret-scanning-report.js";

const MAX_BODY = "1mb";

/** The raw-body parser's failures in this endpoint's words (its limit is not /v1's 100 kB). */
const bodyErrors: ErrorRequestHandler = (err: { type?: string }, _req, _res, next) => {
  if (err.type === "entity.too.large") return next(new InvalidRequestError(413, "body_too_large", "The report is larger than 1 MB."));
  next(err);
};

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value.trim() : undefined;
}

/**
 * POST /secret-scanning/report: GitHub's secret-scanning partner endpoint. The signature over the raw body is
 * checked before anything is parsed (401 and nothing revoked when it fails); then each match that is one of
 * our keys is revoked and labelled. The reported values are never logged.
 */
export function secretScanningRouter(ctx: AppContext): Router {
  const verifier = new PartnerSignatureVerifier(ctx.config.secretScanningKeys);
  const router = Router();
  router.post(
    "/secret-scanning/report",
    // Every body as bytes, whatever its type: the signature covers the bytes exactly as sent.
    express.raw({ type: () => true, limit: MAX_BODY }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verifier.verify(body, header(req.headers["github-public-key-identifier"]), header(req.headers["github-public-key-signature"]));
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        throw new InvalidRequestError(400, "invalid_json", "The request body is not valid JSON.");
      }
      const report = reportSchema.safeParse(json);
      if (!report.success) throw new ValidationError("Send a JSON array of { token, type, url, source } matches.");
      res.set("Cache-Control", "no-store").json(await handleSecretScanningReport({ db: ctx.db, feed: ctx.feed }, report.data));
    },
  );
  router.use(bodyErrors);
  return router;
}
