import { z } from "zod";
import { recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ConflictError, ValidationError } from "../errors/app-error.js";
import type { Logger } from "../logger.js";
import { normalizeEmail } from "../users/normalize-email.js";
import { requireWorkspace } from "../workspaces/find-workspace.js";
import { ROLES } from "../workspaces/roles.js";
import { type Inviter, requireMayInvite } from "./invitation-authority.js";
import { invitationMail } from "./invitation-mail.js";
import { invitationDigest, invitationLink, newInvitationSecret } from "./invitation-secret.js";
import { type InvitationView, invitationView } from "./invitation-view.js";
import type { Mailer } from "./mailer.js";

/** An invitation link works for seven days. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const input = z.strictObject({
  email: z.string().transform(normalizeEmail).pipe(z.email("email must be a valid email address.").max(254)),
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}.` }),
});

export type CreateInvitationInput = z.input<typeof input>;

export interface CreatedInvitation {
  invitation: InvitationView;
  /** The link with the secret: returned once, never stored or shown again. */
  link: string;
  /** Whether the link also went out by email; "failed" means it must be passed on by hand. */
  mail: "sent" | "failed" | "not_configured";
}

export interface InvitationDeps {
  db: Db;
  issuer: string;
  mailer: Mailer | null;
  logger: Logger;
}

/**
 * Invites someone to a workspace. The row (with only the digest of the secret) and its audit entry commit
 * together; the email is sent after the commit, so a mail server that is down never loses the invitation —
 * the admin still gets the link to pass on by hand.
 */
export async function createInvitation(
  deps: InvitationDeps,
  workspaceId: string,
  inviter: Inviter,
  raw: CreateInvitationInput,
): Promise<CreatedInvitation> {
  const parsed = input.safeParse(raw);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message);
  const { email, role } = parsed.data;
  requireMayInvite(inviter, role);

  const { db } = deps;
  const workspace = await requireWorkspace(db, workspaceId);
  const secret = newInvitationSecret();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const row = await db.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { workspaceId, user: { email } }, select: { id: true } });
    if (member) throw new ConflictError("already_member", "This person is already a member of the workspace.");
    const pending = await tx.invitation.findFirst({
      where: { workspaceId, email, status: "pending", expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (pending) {
      throw new ConflictError("already_invited", "This person already has a pending invitation; revoke it to send a new one.");
    }
    const created = await tx.invitation.create({
      data: {
        workspaceId,
        email,
        role,
        digest: invitationDigest(secret),
        invitedById: inviter.actor.type === "user" ? (inviter.actor.id ?? null) : null,
        invitedByName: inviter.actor.label ?? null,
        expiresAt,
        mailStatus: deps.mailer ? "failed" : "not_configured",
      },
    });
    await recordAudit(tx, {
      workspaceId,
      actor: inviter.actor,
      action: "invitation.created",
      target: { type: "invitation", id: created.id },
      details: { email, role },
    });
    return created;
  });

  const link = invitationLink(deps.issuer, secret);
  let mail: CreatedInvitation["mail"] = "not_configured";
  if (deps.mailer) {
    mail = await deps.mailer
      .send(
        invitationMail({
          to: email,
          workspaceName: workspace.name,
          role,
          invitedBy: inviter.actor.label ?? "An admin",
          link,
          expiresAt,
        }),
      )
      .then(
        () => "sent" as const,
        (err: unknown) => {
          // The reason only: the message holds the link, and the link is a secret.
          deps.logger.warn({ invitation_id: row.id, reason: (err as Error).message?.split("\n")[0] }, "invitation email not sent");
          return "failed" as const;
        },
      );
    if (mail === "sent") {
      // Written before the send as "failed" so that a crash in between never claims a sent mail.
      await db.invitation.update({ where: { id: row.id }, data: { mailStatus: "sent" } });
    }
  }
  return { invitation: invitationView({ ...row, mailStatus: mail }), link, mail };
}
