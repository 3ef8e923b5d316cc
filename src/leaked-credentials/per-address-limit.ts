import type { RequestHandler } from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import { RateLimitError } from "../errors/app-error.js";

/** Requests per client address in a fixed window, answered 429 with Retry-After past `limit`. */
export function perAddressLimit(options: { disabled: boolean; limit: number; windowMs: number; store: Store }): RequestHandler {
  if (options.disabled) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: "draft-6",
    legacyHeaders: false,
    store: options.store,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? "unknown"),
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      next(new RateLimitError(reset ? (reset.getTime() - Date.now()) / 1000 : options.windowMs / 1000));
    },
  });
}
