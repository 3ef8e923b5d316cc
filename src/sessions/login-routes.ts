import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { RateLimitError } from "../errors/app-error.js";
import { pageHeaders } from "../http/security-headers.js";
import { authenticateUser } from "./authenticate-user.js";
import type { PageKit } from "./page-kit.js";
import { safeReturnTo } from "./safe-return.js";
import { createSession, destroySession } from "./session-store.js";

const loginForm = z.object({
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
  return_to: z.string().max(2048).optional(),
});

export const BAD_LOGIN = "Incorrect email or password.";

function renderLogin(req: Request, res: Response, kit: PageKit, opts: { status?: number; error?: string; email?: string; returnTo: string }) {
  res.status(opts.status ?? 200).render("login", {
    title: "Sign in",
    action: "/login",
    csrfToken: kit.csrfToken(req, res),
    error: opts.error ?? null,
    email: opts.email ?? "",
    hidden: { return_to: opts.returnTo },
    app: null,
  });
}

/** /login and /logout for our own pages. The OAuth interaction login reuses the same session and checks. */
export function loginRouter(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  // Scoped to these paths: body parsers must never run in front of the OAuth provider's endpoints.
  router.use(["/login", "/logout"], pageHeaders(), ...kit.base);

  router.get("/login", (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to);
    if (req.user) return res.redirect(303, returnTo);
    renderLogin(req, res, kit, { returnTo });
  });

  router.post("/login", kit.csrfProtect, async (req, res, next) => {
    try {
      const form = loginForm.parse(req.body ?? {});
      const returnTo = safeReturnTo(form.return_to);
      const address = req.ip ?? "unknown";
      try {
        ctx.loginThrottle.check(form.email, address);
      } catch (err) {
        if (!(err instanceof RateLimitError)) throw err;
        res.set(err.headers);
        return renderLogin(req, res, kit, { status: 429, error: "Too many attempts. Wait a few minutes and try again.", email: form.email, returnTo });
      }
      const user = await authenticateUser(ctx.db, form.email, form.password, ctx.config.argon2);
      if (!user) {
        ctx.loginThrottle.recordFailure(form.email, address);
        return renderLogin(req, res, kit, { status: 401, error: BAD_LOGIN, email: form.email, returnTo });
      }
      ctx.loginThrottle.recordSuccess(form.email);
      const session = await createSession(ctx.db, user.id, ctx.config.sessionTtlHours);
      kit.setSessionCookie(res, session.token, session.expiresAt);
      res.redirect(303, returnTo);
    } catch (err) {
      next(err);
    }
  });

  router.post("/logout", kit.csrfProtect, async (req, res, next) => {
    try {
      if (req.user) await destroySession(ctx.db, req.user.sessionId);
      kit.clearSessionCookie(res);
      res.redirect(303, "/login");
    } catch (err) {
      next(err);
    }
  });
  return router;
}
