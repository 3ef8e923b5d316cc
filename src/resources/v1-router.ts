import express, { type RequestHandler, Router } from "express";
import type { AppContext } from "../context.js";
import { authenticate, principalOf } from "../credentials/authenticate.js";
import { notFound } from "../errors/render.js";
import { inOrder } from "../http/in-order.js";
import { guardV1Input, requireJsonBody } from "../http/request-guards.js";
import { authFailureLimit, perCredentialLimit } from "../rate-limit/limits.js";
import { subscriberRoutes } from "./subscribers/routes.js";
import { tagRoutes } from "./tags/routes.js";
import { toCredentialWorkspaceView } from "./workspace-view.js";

const MINUTE = 60_000;

const parseJson = express.json({ limit: "100kb", strict: false, type: "application/json" });

/**
 * The JSON parser only where there is a body (the parser's own test, type-is's hasBody): on a GET it would still
 * cost its bookkeeping on every request.
 */
const parseJsonIfBody: RequestHandler = (req, res, next) => {
  const length = req.headers["content-length"];
  if (req.headers["transfer-encoding"] !== undefined || (length !== undefined && !Number.isNaN(Number(length)))) {
    return parseJson(req, res, next);
  }
  next();
};

/**
 * /v1: body and request checks, then the bearer credential (failures counted per address), then the
 * per-credential rate limit, then the resource routes. Every failure is rendered as the JSON envelope by the app's
 * error handler.
 *
 * The checks run in one layer in front of the router rather than as its first `router.use`: mounted inside, they
 * would cost the router a second walk per request (a path match, a prefix trim, parameter processing) before it
 * even reached the routes. In front, they still run before any route is matched, for every /v1 path.
 */
export function createV1Api(ctx: AppContext): RequestHandler {
  const { rateLimit } = ctx.config;
  const router = Router();
  router.get("/workspace", (req, res) => {
    const { workspace } = principalOf(req);
    res.json({ data: toCredentialWorkspaceView(workspace) });
  });
  // On this router, not as routers of their own: each nested router is another dispatch for every request to it.
  subscriberRoutes(router, ctx);
  tagRoutes(router, ctx);
  router.use(notFound);

  return inOrder(
    requireJsonBody,
    parseJsonIfBody,
    guardV1Input,
    // Both limits are counted across every node (shared counters in the database). A failed credential goes
    // to the failure limit (401, or 429 once its address is over); a valid one goes on to its own limit.
    authenticate(ctx.resolver),
    authFailureLimit({
      disabled: rateLimit.disabled,
      limit: rateLimit.authFailuresPerMinute,
      windowMs: MINUTE,
      store: ctx.rateLimits.store("v1-auth-failures"),
    }),
    v1CredentialLimit(ctx),
    router,
  );
}

/** The per-credential limit every authenticated /v1 request passes, counted across nodes on the shared counters. */
export function v1CredentialLimit(ctx: AppContext): RequestHandler {
  const { rateLimit } = ctx.config;
  return perCredentialLimit({
    disabled: rateLimit.disabled,
    limit: rateLimit.perMinute,
    windowMs: MINUTE,
    store: ctx.rateLimits.store("v1-credential"),
  });
}
