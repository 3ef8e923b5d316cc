import cookieParser from "cookie-parser";
import express, { type Request, type RequestHandler, type Response } from "express";
import { doubleCsrf } from "csrf-csrf";
import type { AppContext } from "../context.js";
import { AuthenticationError, ForbiddenError } from "../errors/app-error.js";
import { refuseMalformedText } from "../http/request-guards.js";
import { findSessionUser } from "./session-store.js";

export const SESSION_COOKIE = "wa_session";
const CSRF_COOKIE = "wa_csrf";

/** The middleware every server-rendered page and the /api admin JSON share. */
export interface PageKit {
  /** cookie-parser, form/JSON body parsing, and `req.user` from the session cookie. */
  base: RequestHandler[];
  /** Refuses anyone not signed in: pages redirect to /login, /api answers 401. */
  requireUser: RequestHandler;
  /** Refuses a state-changing request without a valid CSRF token (`_csrf` field or `x-csrf-token` header). */
  csrfProtect: RequestHandler;
  /** Issues a CSRF token for a form (and its paired cookie). */
  csrfToken(req: Request, res: Response): string;
  /** Sets the session cookie after sign-in. */
  setSessionCookie(res: Response, token: string, expiresAt: Date): void;
  clearSessionCookie(res: Response): void;
}

/** Builds the page middleware from the context (one instance per app). */
export function createPageKit(ctx: AppContext): PageKit {
  const secure = ctx.config.issuer.startsWith("https://");
  const csrf = doubleCsrf({
    getSecret: () => ctx.csrfSecret,
    // Tokens are bound to the session, so a token issued before sign-in is useless after it.
    getSessionIdentifier: (req) => req.user?.sessionId ?? "anonymous",
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: "lax", path: "/", secure, httpOnly: true },
    getCsrfTokenFromRequest: (req) =>
      (req.body as Record<string, unknown> | undefined)?._csrf?.toString() ?? req.headers["x-csrf-token"],
  });

  const loadUser: RequestHandler = (req, _res, next) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    findSessionUser(ctx.db, token).then((user) => {
      if (user) req.user = user;
      next();
    }, next);
  };

  return {
    base: [
      cookieParser(),
      express.urlencoded({ extended: false, limit: "20kb" }),
      express.json({ limit: "100kb" }),
      refuseMalformedText,
      loadUser,
    ],
    requireUser(req, res, next) {
      if (req.user) return next();
      if (req.path.startsWith("/api/") || req.originalUrl.startsWith("/api/")) {
        return next(new AuthenticationError("missing_credentials", "Sign in first."));
      }
      res.redirect(303, `/login?return_to=${encodeURIComponent(req.originalUrl)}`);
    },
    csrfProtect(req, res, next) {
      csrf.doubleCsrfProtection(req, res, (err?: unknown) => {
        next(err ? new ForbiddenError("The form expired or was not sent from this site. Reload and try again.", "invalid_csrf_token") : undefined);
      });
    },
    csrfToken: (req, res) => csrf.generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
    setSessionCookie(res, token, expiresAt) {
      res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, path: "/", expires: expiresAt });
    },
    clearSessionCookie(res) {
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure, path: "/" });
    },
  };
}
