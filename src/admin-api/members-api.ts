import { type Request, Router } from "express";
import { z } from "zod";
import { toApiKeyView } from "../api-keys/api-key-view.js";
import { toAuthorizedAppView } from "../authorized-apps/authorized-app-view.js";
import type { AppContext } from "../context.js";
import { NotFoundError } from "../errors/app-error.js";
import { changeMembership } from "../members/change-membership.js";
import { credentialsLeftBehind } from "../members/left-behind.js";
import { listMembers } from "../members/list-members.js";
import { reassignKey } from "../members/reassign-key.js";
import { parseInput } from "../http/validation.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { requireAdministered, requireMember, scopeOf } from "../workspaces/viewer.js";
import { ROLES } from "../workspaces/roles.js";

const idList = z.array(z.string().min(1).max(64)).max(500).default([]);
const revokeFields = { revoke_api_key_ids: idList, revoke_authorized_app_ids: idList };
export const roleBody = z.strictObject({ role: z.enum(ROLES), ...revokeFields });
export const removeBody = z.strictObject(revokeFields);
export const reassignBody = z.strictObject({ owner_id: z.string().min(1).max(64) });

/** /api/workspaces/:id/members…: Team Members as JSON, through the same services and the same checks. */
export function membersApi(ctx: AppContext): Router {
  const router = Router();
  const deps = { db: ctx.db, feed: ctx.feed };

  /** The acting person and the workspace they administer (404 outside their workspaces, 403 as a member). */
  async function managed(req: Request) {
    const viewer = await viewerOf(ctx, req);
    const workspace = requireAdministered(viewer, requireMember(viewer, String(req.params.id)).id);
    return { viewer, workspace };
  }

  router.get("/api/workspaces/:id/members", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    res.json({ data: await listMembers(ctx.db, requireMember(viewer, String(req.params.id)).id) });
  });

  router.get("/api/workspaces/:id/members/:membershipId/left-behind", async (req, res) => {
    const { workspace } = await managed(req);
    const membership = await ctx.db.membership.findFirst({ where: { id: String(req.params.membershipId), workspaceId: workspace.id } });
    if (!membership) throw new NotFoundError("workspace member");
    const left = await credentialsLeftBehind(ctx.db, workspace.id, membership.userId, new Date());
    res.json({ data: { api_keys: left.apiKeys.map((k) => toApiKeyView(k)), authorized_apps: left.authorizedApps.map(toAuthorizedAppView) } });
  });

  router.post("/api/workspaces/:id/members/:membershipId/role", async (req, res) => {
    const { viewer, workspace } = await managed(req);
    const body = parseInput(roleBody, req.body ?? {}, "body");
    const result = await changeMembership(deps, {
      workspaceId: workspace.id,
      target: { membershipId: String(req.params.membershipId) },
      change: { kind: "role", role: body.role },
      revoke: { apiKeyIds: body.revoke_api_key_ids, authorizedAppIds: body.revoke_authorized_app_ids },
      by: { actor: viewer.actor, userId: viewer.user.id },
    });
    res.json({ data: result });
  });

  router.post("/api/workspaces/:id/members/:membershipId/remove", async (req, res) => {
    const { viewer, workspace } = await managed(req);
    const body = parseInput(removeBody, req.body ?? {}, "body");
    const result = await changeMembership(deps, {
      workspaceId: workspace.id,
      target: { membershipId: String(req.params.membershipId) },
      change: { kind: "remove" },
      revoke: { apiKeyIds: body.revoke_api_key_ids, authorizedAppIds: body.revoke_authorized_app_ids },
      by: { actor: viewer.actor, userId: viewer.user.id },
    });
    res.json({ data: result });
  });

  router.post("/api/api-keys/:id/reassign", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(reassignBody, req.body ?? {}, "body");
    const key = await reassignKey(ctx.db, { keyId: String(req.params.id), scope: scopeOf(viewer), ownerId: body.owner_id, actor: viewer.actor });
    res.json({ data: key });
  });

  return router;
}
