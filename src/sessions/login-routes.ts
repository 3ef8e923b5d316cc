import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { pageHeaders } from "../http/security-headers.js";
import type { PageKit } from "./page-kit.js";
import { safeReturnTo } from "./safe-return.js";
import { destroySession } from "./session-store.js";
import { signIn } from "./sign-in.js";

const loginForm = z.object({
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
  return_to: z.string().max(2048).optional(),
});

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
      const result = await signIn(ctx, kit, res, { email: form.email, password: form.password, address: req.ip ?? "unknown", userAgent: req.get("user-agent") });
      if (!result.ok) {
        return renderLogin(req, res, kit, { status: result.status, error: result.error, email: form.email, returnTo });
      }
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
