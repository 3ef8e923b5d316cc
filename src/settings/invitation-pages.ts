import { Router, type Request, type Response } from "express";
import type { AppContext } from "../context.js";
import { ValidationError } from "../errors/app-error.js";
import { pageHeaders } from "../http/security-headers.js";
import type { PageKit } from "../sessions/page-kit.js";
import { createSession } from "../sessions/session-store.js";
import { type AcceptOutcome, acceptInvitation, acceptWithNewAccount, type FoundInvitation, type InvitationLookup, lookUpInvitation } from "../invitations/accept-invitation.js";

type Unusable = "unknown" | "expired" | "accepted" | "revoked";

// Each link that cannot be used gets its own page and status: 404 for a link that never existed, 410 for one
// that did and is no more.
const UNUSABLE: Record<Unusable, { status: number; title: string; message: string }> = {
  unknown: { status: 404, title: "Invitation not found", message: "This invitation link is not valid. Check that you copied all of it." },
  expired: { status: 410, title: "Invitation expired", message: "This invitation has expired: links work for 7 days." },
  accepted: { status: 410, title: "Invitation already used", message: "This invitation was already accepted. If it was you, sign in to continue." },
  revoked: { status: 410, title: "Invitation revoked", message: "This invitation was withdrawn by an admin of the workspace." },
};

interface PageState {
  mode: "accept" | "sign_up" | "sign_in" | "wrong_account" | "unusable";
  status?: number;
  error?: string;
  name?: string;
}

/**
 * /invitations/accept: the page an invitation link opens, and its one form. Anyone may open it: the 256-bit
 * secret in the link is the authority, checked against its stored digest.
 */
export function invitationPages(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  router.use("/invitations", pageHeaders(), ...kit.base);

  function render(req: Request, res: Response, token: string, found: InvitationLookup, state: PageState): void {
    if (found.state !== "pending" || state.mode === "unusable") {
      const which = UNUSABLE[found.state === "pending" ? "unknown" : found.state];
      res.status(which.status).render("invitation", {
        title: which.title, message: which.message, mode: "unusable", invitation: null, error: null,
        csrfToken: kit.csrfToken(req, res), token: "", name: "", signedInEmail: null, signInHref: null,
      });
      return;
    }
    res.status(state.status ?? (state.mode === "wrong_account" ? 403 : 200)).render("invitation", {
      title: `Join ${found.workspaceName}`,
      message: null,
      mode: state.mode,
      invitation: found,
      error: state.error ?? null,
      csrfToken: kit.csrfToken(req, res),
      token,
      name: state.name ?? "",
      signedInEmail: req.user?.email ?? null,
      signInHref: `/login?return_to=${encodeURIComponent(`/invitations/accept?token=${token}`)}`,
    });
  }

  /** How the pending invitation is offered to whoever opened it. */
  function modeFor(req: Request, found: FoundInvitation): PageState["mode"] {
    if (req.user) return req.user.email === found.email ? "accept" : "wrong_account";
    return found.hasAccount ? "sign_in" : "sign_up";
  }

  router.get("/invitations/accept", async (req, res) => {
    const token = typeof req.query.token === "string" ? req.query.token : "";
    const found = await lookUpInvitation(ctx.db, token);
    // The person who accepted it, opening the link again, just continues.
    if (found.state === "accepted" && req.user && found.acceptedById === req.user.id) {
      return res.redirect(303, `/invitations/joined?workspace=${encodeURIComponent(found.workspaceId)}`);
    }
    if (found.state !== "pending") return render(req, res, token, found, { mode: "unusable" });
    render(req, res, token, found, { mode: modeFor(req, found) });
  });

  router.post("/invitations/accept", kit.csrfProtect, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === "string" ? body.token : "";
    let outcome: AcceptOutcome;
    if (req.user) {
      outcome = await acceptInvitation(ctx.db, token, req.user);
    } else {
      try {
        outcome = await acceptWithNewAccount(ctx.db, ctx.config.argon2, token, body);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const found = await lookUpInvitation(ctx.db, token);
        return render(req, res, token, found, {
          mode: found.state === "pending" ? modeFor(req, found) : "unusable",
          status: 422,
          error: err.message,
          name: typeof body.name === "string" ? body.name : "",
        });
      }
      if (outcome.ok) {
        const session = await createSession(ctx.db, outcome.user.id, ctx.config.sessionTtlHours);
        kit.setSessionCookie(res, session.token, session.expiresAt);
      }
    }
    if (outcome.ok) return res.redirect(303, `/invitations/joined?workspace=${encodeURIComponent(outcome.workspaceId)}`);

    const found = await lookUpInvitation(ctx.db, token);
    if (outcome.reason === "wrong_account" || outcome.reason === "account_exists") {
      if (found.state === "pending") return render(req, res, token, found, { mode: modeFor(req, found), status: 409 });
    }
    render(req, res, token, found, { mode: "unusable" });
  });

  router.get("/invitations/joined", kit.requireUser, async (req, res) => {
    const workspaceId = typeof req.query.workspace === "string" ? req.query.workspace : "";
    const membership = await ctx.db.membership.findUnique({
      where: { workspaceId_userId: { workspaceId, userId: req.user!.id } },
      include: { workspace: { select: { name: true } } },
    });
    if (!membership) return res.redirect(303, "/settings");
    res.render("invitation-joined", { title: `Welcome to ${membership.workspace.name}`, workspaceName: membership.workspace.name, role: membership.role });
  });
  return router;
}
