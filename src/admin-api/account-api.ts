import { Router } from "express";
import { z } from "zod";
import { changePassword } from "../account/change-password.js";
import { listSessions } from "../account/list-sessions.js";
import { signOutOtherSessions } from "../account/sign-out-other-sessions.js";
import type { AppContext } from "../context.js";
import { parseInput } from "../http/validation.js";
import { signedIn } from "../sessions/viewer-of.js";

export const passwordBody = z.strictObject({ current_password: z.string().max(1024), new_password: z.string().max(1024) });

/** /api/account…: My account as JSON: the person's sessions, signing out elsewhere, changing the password. */
export function accountApi(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/account/sessions", async (req, res) => {
    res.json({ data: await listSessions(ctx.db, signedIn(req)) });
  });

  router.post("/api/account/sessions/sign-out-others", async (req, res) => {
    parseInput(z.strictObject({}), req.body ?? {}, "body");
    res.json({ data: await signOutOtherSessions(ctx.db, signedIn(req)) });
  });

  router.post("/api/account/password", async (req, res) => {
    const body = parseInput(passwordBody, req.body ?? {}, "body");
    const result = await changePassword(
      { db: ctx.db, cost: ctx.config.argon2, throttle: ctx.loginThrottle },
      { user: signedIn(req), currentPassword: body.current_password, newPassword: body.new_password, address: req.ip ?? "unknown" },
    );
    res.json({ data: result });
  });

  return router;
}
