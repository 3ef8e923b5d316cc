import { z } from "zod";
import { recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ValidationError } from "../errors/app-error.js";
import type { LoginThrottle } from "../sessions/login-throttle.js";
import { MIN_PASSWORD_LENGTH } from "../users/create-user.js";
import { type Argon2Cost, hashPassword, verifyPassword } from "../users/passwords.js";
import type { SignedInUser } from "../users/session-user.js";
import { endOtherSessions } from "./end-other-sessions.js";

export interface ChangePasswordDeps {
  db: Db;
  cost: Argon2Cost;
  /** The sign-in brake: a wrong current password counts as a failed sign-in, so this form cannot be used to guess. */
  throttle: LoginThrottle;
}

export interface ChangePasswordInput {
  user: SignedInUser;
  currentPassword: string;
  newPassword: string;
  /** The client address, for the throttle. */
  address: string;
}

export const WRONG_CURRENT_PASSWORD = "Your current password is not correct.";

const newPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Choose a new password of at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024, "Choose a new password of at most 1024 characters.");

/**
 * Changes the signed-in person's password after checking the current one (Argon2id, as at sign-in), and signs
 * them out everywhere else (our sessions and the OAuth provider's), in one transaction. This session stays.
 */
export async function changePassword(deps: ChangePasswordDeps, input: ChangePasswordInput): Promise<{ signed_out_sessions: number }> {
  const parsed = newPassword.safeParse(input.newPassword);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message);
  deps.throttle.check(input.user.email, input.address);
  const stored = await deps.db.user.findUnique({ where: { id: input.user.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(stored?.passwordHash ?? null, input.currentPassword, deps.cost))) {
    deps.throttle.recordFailure(input.user.email, input.address);
    throw new ValidationError(WRONG_CURRENT_PASSWORD);
  }
  if (input.newPassword === input.currentPassword) throw new ValidationError("Choose a new password that differs from the current one.");
  const passwordHash = await hashPassword(input.newPassword, deps.cost);
  return deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: input.user.id }, data: { passwordHash } });
    const ended = await endOtherSessions(tx, input.user.id, input.user.sessionId);
    await recordAudit(tx, {
      workspaceId: null,
      actor: { type: "user", id: input.user.id, label: input.user.email },
      action: "user.password_changed",
      target: { type: "user", id: input.user.id },
      details: { signed_out_sessions: ended },
    });
    return { signed_out_sessions: ended };
  });
}
