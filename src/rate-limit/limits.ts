import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { type IncrementResponse, ipKeyGenerator, MemoryStore, type Options, rateLimit, type Store } from "express-rate-limit";
import { AuthenticationError, IpNotAllowedError, RateLimitError } from "../errors/app-error.js";

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
 * Requests per credential (one bucket per API key or per authorized app), with the IETF draft-6
 * `RateLimit-Policy/-Limit/-Remaining/-Reset` headers and `Retry-After` on 429 — the headers express-rate-limit
 * writes with `standardHeaders: "draft-6"`, over the same stores.
 *
 * Every /v1 request passes here, so this is a lean counter rather than express-rate-limit's middleware (an
 * async function awaiting five times per request, with per-request validation bookkeeping): one call to the
 * store, and when the store answers synchronously (its `increment` may return the count itself) no promise
 * and no closure at all; the fixed header values are worked out once.
 */
export function perCredentialLimit(options: RateLimitOptions): RequestHandler {
  if (options.disabled) return passThrough;
  const { limit, windowMs } = options;
  const store = options.store ?? new MemoryStore();
  void store.init?.({ windowMs, limit } as Options);
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  const limitText = String(limit);

  const decide = (req: Request, res: Response, next: NextFunction, counted: IncrementResponse): void => {
    const { totalHits, resetTime } = counted;
    const resetSeconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
    if (!res.headersSent) {
      res.setHeader("RateLimit-Policy", policy);
      res.setHeader("RateLimit-Limit", limitText);
      res.setHeader("RateLimit-Remaining", String(totalHits < limit ? limit - totalHits : 0));
      res.setHeader("RateLimit-Reset", String(resetSeconds));
    }
    if (totalHits <= limit) return next();
    if (!res.headersSent) res.setHeader("Retry-After", String(resetSeconds));
    next(new RateLimitError(resetTime ? (resetTime.getTime() - Date.now()) / 1000 : windowMs / 1000));
  };

  return (req, res, next) => {
    let counted: IncrementResponse | Promise<IncrementResponse>;
    try {
      counted = store.increment(req.principal?.rateKey ?? "anonymous");
    } catch (err) {
      return next(err);
    }
    if ("then" in counted) counted.then((result) => decide(req, res, next, result), next);
    else decide(req, res, next, counted);
  };
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
    // A valid key from an address outside its allowlist is no valid credential here: it counts as a failure.
    if (!(err instanceof AuthenticationError || err instanceof IpNotAllowedError)) return next(err);
    void countFailure(req, res, (limited?: unknown) => next(limited ?? err));
  };
}
