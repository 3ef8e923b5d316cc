import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { changePassword } from "../account/change-password.js";
import { listSessions } from "../account/list-sessions.js";
import { signOutOtherSessions } from "../account/sign-out-other-sessions.js";
import type { AppContext } from "../context.js";
import { RateLimitError, ValidationError } from "../errors/app-error.js";
import type { PageKit } from "../sessions/page-kit.js";
import { signedIn, viewerOf } from "../sessions/viewer-of.js";
import { renderSettings } from "./page.js";

const passwordForm = z.strictObject({
  _csrf: z.string(),
  current_password: z.string().max(1024),
  new_password: z.string().max(1024),
  confirm_password: z.string().max(1024),
});

const NOTICES: Record<string, string> = {
  password_changed: "Your password was changed. Every other session was signed out.",
  signed_out_elsewhere: "Every other session was signed out. This one stays signed in.",
};

/** My account: change password (signing out everywhere else) and the list of this person's sessions. */
export function accountRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();

  async function renderAccount(req: Request, res: Response, error: string | null = null, status = 200) {
    const viewer = await viewerOf(ctx, req);
    renderSettings(req, res, kit, { tab: "account", title: "My account", viewer, status }, {
      sessions: await listSessions(ctx.db, viewer.user),
      error,
      notice: error ? null : (NOTICES[typeof req.query.notice === "string" ? req.query.notice : ""] ?? null),
    });
  }

  router.get("/settings/account", async (req, res) => {
    await renderAccount(req, res);
  });

  router.post("/settings/account/password", async (req, res) => {
    const form = passwordForm.safeParse(req.body ?? {});
    if (!form.success) return renderAccount(req, res, "This form is no longer valid. Reload the page and try again.", 422);
    if (form.data.new_password !== form.data.confirm_password) return renderAccount(req, res, "The new password and its confirmation differ.", 422);
    try {
      await changePassword(
        { db: ctx.db, cost: ctx.config.argon2, throttle: ctx.loginThrottle },
        { user: signedIn(req), currentPassword: form.data.current_password, newPassword: form.data.new_password, address: req.ip ?? "unknown" },
      );
    } catch (err) {
      if (err instanceof ValidationError) return renderAccount(req, res, err.message, 422);
      if (err instanceof RateLimitError) {
        res.set(err.headers);
        return renderAccount(req, res, "Too many attempts. Wait a few minutes and try again.", 429);
      }
      throw err;
    }
    res.redirect(303, "/settings/account?notice=password_changed");
  });

  router.post("/settings/account/sessions/sign-out-others", async (req, res) => {
    await signOutOtherSessions(ctx.db, signedIn(req));
    res.redirect(303, "/settings/account?notice=signed_out_elsewhere");
  });

  return router;
}
