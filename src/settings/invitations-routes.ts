import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError } from "../errors/app-error.js";
import { type CreatedInvitation, createInvitation } from "../invitations/create-invitation.js";
import { listOpenInvitations } from "../invitations/list-invitations.js";
import { revokeInvitation } from "../invitations/revoke-invitation.js";
import type { PageKit } from "../sessions/page-kit.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { ROLES, type Role } from "../workspaces/roles.js";
import { requireAdministered, scopeOf, type Viewer } from "../workspaces/viewer.js";
import { fmt } from "./format.js";

const inviteForm = z.strictObject({
  _csrf: z.string(),
  workspace_id: z.string().max(64),
  email: z.string().max(254),
  role: z.string().max(20),
});

const NOTICES: Record<string, string> = { revoked: "The invitation was revoked. Its link no longer works." };

const text = (value: unknown) => (typeof value === "string" ? value : "");

/**
 * Team Members → Invitations (/settings/members/invitations?workspace=ID): invite by email with a role, see the
 * link once, and the open invitations with who invited and when, each revocable. Owners and admins only.
 */
export function invitationsSettingsRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();

  async function renderPage(
    req: Request,
    res: Response,
    viewer: Viewer,
    workspaceId: string,
    extras: { created?: CreatedInvitation; error?: string; values?: Record<string, string>; status?: number } = {},
  ) {
    const workspace = viewer.administered.find((w) => w.id === workspaceId) ?? viewer.administered[0] ?? null;
    const invitations = workspace ? await listOpenInvitations(ctx.db, scopeOf(viewer), workspace.id) : [];
    res.status(extras.status ?? 200).render("settings/invitations", {
      title: "Invitations",
      tab: "members",
      viewer,
      csrfToken: kit.csrfToken(req, res),
      fmt,
      workspace,
      invitations,
      roles: workspace?.role === "owner" ? ROLES : ROLES.filter((r) => r !== "owner"),
      created: extras.created ?? null,
      error: extras.error ?? null,
      values: { email: "", role: "member", ...extras.values },
      mailConfigured: ctx.mailer !== null,
      notice: NOTICES[text(req.query.notice)] ?? null,
    });
  }

  router.get("/settings/members/invitations", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const workspaceId = text(req.query.workspace);
    if (workspaceId) requireAdministered(viewer, workspaceId);
    await renderPage(req, res, viewer, workspaceId);
  });

  router.post("/settings/members/invitations", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const form = inviteForm.parse(req.body ?? {});
    const workspace = requireAdministered(viewer, form.workspace_id);
    try {
      const created = await createInvitation(
        { db: ctx.db, issuer: ctx.config.issuer, mailer: ctx.mailer, logger: ctx.logger },
        workspace.id,
        { actor: viewer.actor, standing: workspace.role as Role },
        { email: form.email, role: form.role as Role },
      );
      await renderPage(req, res, viewer, workspace.id, { created, status: 201 });
    } catch (err) {
      // Refusals a person can fix (a bad email, already a member, already invited) stay on the page with the form.
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 403) throw err;
      await renderPage(req, res, viewer, workspace.id, {
        error: err.message,
        values: { email: form.email, role: form.role },
        status: err.status,
      });
    }
  });

  router.post("/settings/members/invitations/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const revoked = await revokeInvitation(ctx.db, { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor });
    res.redirect(303, `/settings/members/invitations?workspace=${encodeURIComponent(revoked.workspace_id)}&notice=revoked`);
  });

  return router;
}
