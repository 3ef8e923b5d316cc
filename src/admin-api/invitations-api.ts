import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { parseInput } from "../http/validation.js";
import { createInvitation } from "../invitations/create-invitation.js";
import { listOpenInvitations } from "../invitations/list-invitations.js";
import { revokeInvitation } from "../invitations/revoke-invitation.js";
import { viewerOf } from "../sessions/viewer-of.js";
import type { Role } from "../workspaces/roles.js";
import { requireAdministered, scopeOf } from "../workspaces/viewer.js";

export const listQuery = z.strictObject({ workspace: z.string().max(64).optional() });
export const createBody = z.strictObject({
  workspace_id: z.string().min(1).max(64),
  email: z.string().max(254),
  role: z.string().max(20),
});
const emptyBody = z.strictObject({});

/** /api/invitations: invite, list the open invitations, revoke — the Team Members invitations as JSON. */
export function invitationsApi(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/invitations", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(listQuery, req.query, "query");
    if (query.workspace) requireAdministered(viewer, query.workspace);
    res.json({ data: await listOpenInvitations(ctx.db, scopeOf(viewer), query.workspace) });
  });

  router.post("/api/invitations", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(createBody, req.body ?? {}, "body");
    const workspace = requireAdministered(viewer, body.workspace_id);
    const created = await createInvitation(
      { db: ctx.db, issuer: ctx.config.issuer, mailer: ctx.mailer, logger: ctx.logger },
      workspace.id,
      { actor: viewer.actor, standing: workspace.role as Role },
      { email: body.email, role: body.role as Role },
    );
    res.status(201).json({ data: { link: created.link, mail: created.mail, invitation: created.invitation } });
  });

  router.post("/api/invitations/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(emptyBody, req.body ?? {}, "body");
    const revoked = await revokeInvitation(ctx.db, { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor });
    res.json({ data: revoked });
  });

  return router;
}
