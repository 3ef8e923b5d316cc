import { z } from "zod";
import { recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import { ValidationError } from "../errors/app-error.js";
import { MIN_PASSWORD_LENGTH } from "../users/create-user.js";
import { type Argon2Cost, hashPassword } from "../users/passwords.js";
import { normalizeEmail } from "../users/normalize-email.js";
import { invitationDigest, isInvitationSecret } from "./invitation-secret.js";
import { invitationStatus } from "./invitation-view.js";

/** What opening a link finds. Only a pending invitation can be accepted. */
export type InvitationLookup = { state: "unknown" } | FoundInvitation;

export interface FoundInvitation {
  state: "pending" | "expired" | "accepted" | "revoked";
  id: string;
  workspaceId: string;
  workspaceName: string;
  email: string;
  role: string;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedById: string | null;
  /** Whether an account with the invited email exists (it then signs in rather than signs up). */
  hasAccount: boolean;
}

/** Looks a link's secret up by its digest (a malformed secret is unknown without a database read). */
export async function lookUpInvitation(db: Db, secret: unknown): Promise<InvitationLookup> {
  if (!isInvitationSecret(secret)) return { state: "unknown" };
  const row = await db.invitation.findUnique({
    where: { digest: invitationDigest(secret) },
    include: { workspace: { select: { name: true } } },
  });
  if (!row) return { state: "unknown" };
  const account = await db.user.findUnique({ where: { email: row.email }, select: { id: true } });
  return {
    state: invitationStatus(row),
    id: row.id,
    workspaceId: row.workspaceId,
    workspaceName: row.workspace.name,
    email: row.email,
    role: row.role,
    invitedBy: row.invitedByName,
    expiresAt: row.expiresAt,
    acceptedById: row.acceptedById,
    hasAccount: account !== null,
  };
}

export type AcceptOutcome =
  | { ok: true; workspaceId: string; user: { id: string; email: string } }
  | { ok: false; reason: "unknown" | "expired" | "accepted" | "revoked" | "wrong_account" | "account_exists" };

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Marks the invitation accepted by `user` and makes them a member, in the caller's transaction. The conditional
 * update is the lock: of two posts of the same form only one finds the row pending, so there is one membership
 * however often it is sent; the later post by the same person answers as a success.
 */
async function acceptIn(tx: Tx, secret: string, user: { id: string; email: string }): Promise<AcceptOutcome> {
  const row = await tx.invitation.findUnique({ where: { digest: invitationDigest(secret) } });
  if (!row) return { ok: false, reason: "unknown" };
  if (row.status === "accepted" && row.acceptedById === user.id) return { ok: true, workspaceId: row.workspaceId, user };
  const state = invitationStatus(row);
  if (state !== "pending") return { ok: false, reason: state };
  if (normalizeEmail(user.email) !== row.email) return { ok: false, reason: "wrong_account" };

  const now = new Date();
  const taken = await tx.invitation.updateMany({
    where: { id: row.id, status: "pending", expiresAt: { gt: now } },
    data: { status: "accepted", acceptedAt: now, acceptedById: user.id },
  });
  if (taken.count === 0) {
    const again = await tx.invitation.findUnique({ where: { id: row.id } });
    if (again?.status === "accepted" && again.acceptedById === user.id) return { ok: true, workspaceId: row.workspaceId, user };
    const now = again ? invitationStatus(again) : "unknown";
    // Still pending here means it expired between the read and the update.
    return { ok: false, reason: now === "pending" ? "expired" : now };
  }
  const existing = await tx.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: row.workspaceId, userId: user.id } },
    select: { id: true },
  });
  // Someone added them by other means meanwhile: the invitation is used up, their current role stays.
  if (!existing) {
    await tx.membership.create({ data: { workspaceId: row.workspaceId, userId: user.id, role: row.role } });
  }
  await recordAudit(tx, {
    workspaceId: row.workspaceId,
    actor: { type: "user", id: user.id, label: user.email },
    action: "invitation.accepted",
    target: { type: "invitation", id: row.id },
    details: { email: row.email, role: row.role, invited_by: row.invitedByName },
  });
  return { ok: true, workspaceId: row.workspaceId, user };
}

/** A signed-in account accepts (one click). Only the account with the invited email may. */
export function acceptInvitation(db: Db, secret: string, user: { id: string; email: string }): Promise<AcceptOutcome> {
  if (!isInvitationSecret(secret)) return Promise.resolve({ ok: false, reason: "unknown" });
  return db.$transaction((tx) => acceptIn(tx, secret, user));
}

const newAccount = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200, "Your name must be at most 200 characters."),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(1024, "Your password must be at most 1024 characters."),
});

/**
 * Someone without an account accepts: the account (Argon2id, the same password rules as everywhere), the
 * membership and the used-up invitation commit together or not at all.
 */
export async function acceptWithNewAccount(
  db: Db,
  cost: Argon2Cost,
  secret: string,
  form: { name?: unknown; password?: unknown },
): Promise<AcceptOutcome> {
  const parsed = newAccount.safeParse({ name: form.name ?? "", password: form.password ?? "" });
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message);
  const found = await lookUpInvitation(db, secret);
  if (found.state === "unknown") return { ok: false, reason: "unknown" };
  if (found.state !== "pending") return { ok: false, reason: found.state };
  if (found.hasAccount) return { ok: false, reason: "account_exists" };

  // Hashing takes a while on purpose; it runs before the transaction so that no lock is held meanwhile.
  const passwordHash = await hashPassword(parsed.data.password, cost);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: found.email, name: parsed.data.name, passwordHash },
        select: { id: true, email: true },
      });
      const outcome = await acceptIn(tx, secret, user);
      // Roll the new account back with the invitation it could not use.
      if (!outcome.ok) throw new AcceptRefused(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof AcceptRefused) return err.outcome;
    // The same form posted twice: the other post created the account (and used the invitation) first.
    if (isUniqueViolation(err, "User")) return { ok: false, reason: "account_exists" };
    throw err;
  }
}

class AcceptRefused extends Error {
  constructor(readonly outcome: AcceptOutcome) {
    super("invitation not accepted");
  }
}
