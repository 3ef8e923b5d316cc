import type { Request, RequestHandler } from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import { RateLimitError } from "../errors/app-error.js";

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
 * Failed authentications per client address: once an address has sent too many bad credentials it is
 * refused with 429 before its credentials are even checked. Only 401 responses count.
 */
export function authFailureLimit(options: RateLimitOptions): RequestHandler {
  if (options.disabled) return passThrough;
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: false,
    legacyHeaders: false,
    store: options.store,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => `auth-fail:${ipKeyGenerator(req.ip ?? "unknown")}`,
    handler: (req, _res, next) => next(new RateLimitError(retryAfterSeconds(req, options.windowMs))),
  });
}
