import type { Response } from "express";
import type { AppContext } from "../context.js";
import { RateLimitError } from "../errors/app-error.js";
import { authenticateUser } from "./authenticate-user.js";
import type { PageKit } from "./page-kit.js";
import { createSession } from "./session-store.js";

export const BAD_LOGIN = "Incorrect email or password.";
const TOO_MANY = "Too many attempts. Wait a few minutes and try again.";

export type SignInResult =
  | { ok: true; user: { id: string; email: string } }
  | { ok: false; status: 401 | 429; error: string };

/**
 * The one sign-in sequence of /login and the OAuth interaction login: throttle, check the password, count
 * the outcome, and on success start our session (shared by consent and Settings) and set its cookie.
 */
export async function signIn(
  ctx: AppContext,
  kit: PageKit,
  res: Response,
  form: { email: string; password: string; address: string; userAgent?: string },
): Promise<SignInResult> {
  try {
    ctx.loginThrottle.check(form.email, form.address);
  } catch (err) {
    if (!(err instanceof RateLimitError)) throw err;
    res.set(err.headers);
    return { ok: false, status: 429, error: TOO_MANY };
  }
  const user = await authenticateUser(ctx.db, form.email, form.password, ctx.config.argon2);
  if (!user) {
    ctx.loginThrottle.recordFailure(form.email, form.address);
    return { ok: false, status: 401, error: BAD_LOGIN };
  }
  ctx.loginThrottle.recordSuccess(form.email);
  const session = await createSession(ctx.db, user.id, ctx.config.sessionTtlHours, form.userAgent);
  kit.setSessionCookie(res, session.token, session.expiresAt);
  return { ok: true, user };
}
