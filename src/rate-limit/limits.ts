import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import { AuthenticationError, RateLimitError } from "../errors/app-error.js";

export interface RateLimitOptions {
  disabled: boolean;
  limit: number;
  windowMs: number;
  /** A shared store for several nodes; the default counts in this process. */
  store?: Store;
}

function retryAfterSeconds(req: Request, windowMs: number): number {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return reset ? (reset.getTime() - Date.now()) / 1000 : windowMs / 1000;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * Requests per credential (one bucket per API key or per authorized app), with the IETF draft
 * `RateLimit-Limit/-Remaining/-Reset` headers and `Retry-After` on 429.
 */
export function perCredentialLimit(options: RateLimitOptions): RequestHandler {
  if (options.disabled) return passThrough;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: "draft-6",
    legacyHeaders: false,
    store: options.store,
    keyGenerator: (req) => req.principal?.rateKey ?? "anonymous",
    handler: (req, _res, next) => next(new RateLimitError(retryAfterSeconds(req, options.windowMs))),
  });
}

/**
 * Failed authentications per client address, placed right after `authenticate` as an error handler: a
 * valid credential never reaches it (it is served, and counted against its own per-credential limit), so
 * one office behind a NAT or one broken script cannot lock out the good integrations sharing its address.
 * Each failure is counted; once an address has failed more than `limit` times in the window, its failures
 * are answered 429 instead of 401.
 */
export function authFailureLimit(options: RateLimitOptions): ErrorRequestHandler {
  if (options.disabled) return (err, _req, _res, next) => next(err);
  const countFailure = rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: false,
    legacyHeaders: false,
    store: options.store,
    keyGenerator: (req) => `auth-fail:${ipKeyGenerator(req.ip ?? "unknown")}`,
    handler: (req, _res, next) => next(new RateLimitError(retryAfterSeconds(req, options.windowMs))),
  });
  return (err, req, res, next) => {
    if (!(err instanceof AuthenticationError)) return next(err);
    void countFailure(req, res, (limited?: unknown) => next(limited ?? err));
  };
}
