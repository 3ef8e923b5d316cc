import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { toApiKeyView } from "../api-keys/api-key-view.js";
import { toAuthorizedAppView } from "../authorized-apps/authorized-app-view.js";
import type { AppContext } from "../context.js";
import { ValidationError } from "../errors/app-error.js";
import { listOpenInvitations } from "../invitations/list-invitations.js";
import { changeMembership } from "../members/change-membership.js";
import { credentialsLeftBehind } from "../members/left-behind.js";
import { listMembers } from "../members/list-members.js";
import { isOffboarding, requireMayChange } from "../members/member-rules.js";
import { reassignKey } from "../members/reassign-key.js";
import type { PageKit } from "../sessions/page-kit.js";
import { ADMIN_ROLES } from "../workspaces/administered-workspaces.js";
import { ROLES } from "../workspaces/roles.js";
import { findApiKey } from "../api-keys/find-api-key.js";
import { findManagedMembership } from "../members/find-membership.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { memberships, requireAdministered, scopeOf, selectedWorkspace, type Viewer } from "../workspaces/viewer.js";
import { renderSettings } from "./page.js";

const ids = z.preprocess((v: unknown) => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(z.string().max(64)).max(500));
const reviewFields = { _csrf: z.string(), revoke_keys: ids, revoke_apps: ids };
const roleForm = z.strictObject({ ...reviewFields, role: z.enum(ROLES, "Choose a role."), reviewed: z.literal("1").optional() });
const removeForm = z.strictObject(reviewFields);
const reassignForm = z.strictObject({ _csrf: z.string(), owner_id: z.string().min(1, "Choose the new owner.").max(64) });

const NOTICES: Record<string, string> = {
  role_changed: "The role was changed. It applies from the person’s next request.",
  member_removed: "The member was removed. The keys and apps you chose were revoked and stopped working immediately.",
};

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(result.error.issues[0]?.message ?? "This form is no longer valid. Reload the page and try again.");
  return result.data;
}

/** The roles the viewer may give a member who now has `role` (owners only touch owners). */
function assignableRoles(viewerRole: string, role: string): string[] {
  if (!ADMIN_ROLES.includes(viewerRole)) return [];
  if (viewerRole === "owner") return [...ROLES];
  return role === "owner" ? [] : ROLES.filter((r) => r !== "owner");
}

const membersUrl = (workspaceId: string, notice?: string) =>
  `/settings/members?workspace=${encodeURIComponent(workspaceId)}${notice ? `&notice=${notice}` : ""}`;

/** Team Members: the people of a workspace; owners and admins change roles and remove people with a review of what they leave. */
export function membersRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  const deps = { db: ctx.db, feed: ctx.feed };

  /** The membership named in the path, its workspace administered by the viewer (404 outside theirs, 403 as a member). */
  async function targetOf(req: Request, viewer: Viewer) {
    const membership = await findManagedMembership(ctx.db, String(req.params.id), scopeOf(viewer));
    return { membership, workspace: requireAdministered(viewer, membership.workspaceId) };
  }

  /** The review of what a person leaves when removed or demoted to member: each key and app preselected for revocation. */
  async function renderReview(req: Request, res: Response, viewer: Viewer, target: Awaited<ReturnType<typeof targetOf>>, role: string | null) {
    const left = await credentialsLeftBehind(ctx.db, target.workspace.id, target.membership.userId, new Date());
    const who = target.membership.user.name ?? target.membership.user.email;
    renderSettings(req, res, kit, { tab: "members", view: "member-review", title: "Team Members", viewer }, {
      workspace: target.workspace,
      member: { id: target.membership.id, name: who, email: target.membership.user.email, role: target.membership.role },
      role,
      heading: role ? `Make ${who} a member of ${target.workspace.name}?` : `Remove ${who} from ${target.workspace.name}?`,
      action: role ? `/settings/members/${encodeURIComponent(target.membership.id)}/role` : `/settings/members/${encodeURIComponent(target.membership.id)}/remove`,
      keys: left.apiKeys.map((k) => toApiKeyView(k)),
      apps: left.authorizedApps.map(toAuthorizedAppView),
    });
  }

  router.get("/settings/members", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const workspace = selectedWorkspace(viewer, req.query.workspace);
    const members = workspace ? await listMembers(ctx.db, workspace.id) : [];
    const canManage = workspace ? ADMIN_ROLES.includes(workspace.role) : false;
    const pending = canManage && workspace ? await listOpenInvitations(ctx.db, scopeOf(viewer), workspace.id) : [];
    renderSettings(req, res, kit, { tab: "members", title: "Team Members", viewer }, {
      workspace,
      pendingInvitations: pending.filter((i) => i.status === "pending").length,
      workspaces: memberships(viewer),
      members,
      canManage,
      assignable: (role: string) => (workspace ? assignableRoles(workspace.role, role) : []),
      mayRemove: (role: string) => (workspace ? ADMIN_ROLES.includes(workspace.role) && (role !== "owner" || workspace.role === "owner") : false),
      notice: NOTICES[typeof req.query.notice === "string" ? req.query.notice : ""] ?? null,
    });
  });

  router.post("/settings/members/:id/role", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const target = await targetOf(req, viewer);
    const form = parsed(roleForm, req.body);
    // A demotion to member first shows what the person leaves behind, unless the review was just confirmed.
    if (!form.reviewed && form.role !== target.membership.role && isOffboarding(target.membership.role, form.role)) {
      const left = await credentialsLeftBehind(ctx.db, target.workspace.id, target.membership.userId, new Date());
      if (left.apiKeys.length || left.authorizedApps.length) return renderReview(req, res, viewer, target, form.role);
    }
    await changeMembership(deps, {
      workspaceId: target.workspace.id,
      target: { membershipId: target.membership.id },
      change: { kind: "role", role: form.role },
      revoke: { apiKeyIds: form.revoke_keys, authorizedAppIds: form.revoke_apps },
      by: { actor: viewer.actor, userId: viewer.user.id },
    });
    res.redirect(303, membersUrl(target.workspace.id, "role_changed"));
  });

  router.get("/settings/members/:id/remove", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const target = await targetOf(req, viewer);
    // The review is the first step of the removal: refused to whoever may not remove this person.
    requireMayChange(target.workspace.role, target.membership.role, null);
    await renderReview(req, res, viewer, target, null);
  });

  router.post("/settings/members/:id/remove", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const target = await targetOf(req, viewer);
    const form = parsed(removeForm, req.body);
    await changeMembership(deps, {
      workspaceId: target.workspace.id,
      target: { membershipId: target.membership.id },
      change: { kind: "remove" },
      revoke: { apiKeyIds: form.revoke_keys, authorizedAppIds: form.revoke_apps },
      by: { actor: viewer.actor, userId: viewer.user.id },
    });
    const stillThere = target.membership.userId !== viewer.user.id;
    res.redirect(303, stillThere ? membersUrl(target.workspace.id, "member_removed") : "/settings/members");
  });

  async function renderReassign(req: Request, res: Response, viewer: Viewer, error: string | null = null) {
    const key = await findApiKey(ctx.db, String(req.params.id), scopeOf(viewer));
    const members = await listMembers(ctx.db, key.workspace_id);
    renderSettings(req, res, kit, { tab: "api-keys", view: "reassign-key", title: "API Keys", viewer, status: error ? 422 : 200 }, {
      key,
      members: members.filter((m) => m.user_id !== key.owner?.id),
      error,
    });
  }

  router.get("/settings/api-keys/:id/reassign", async (req, res) => {
    await renderReassign(req, res, await viewerOf(ctx, req));
  });

  router.post("/settings/api-keys/:id/reassign", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    await findApiKey(ctx.db, String(req.params.id), scopeOf(viewer));
    const form = reassignForm.safeParse(req.body ?? {});
    if (!form.success) return renderReassign(req, res, viewer, form.error.issues[0]?.message ?? "Choose the new owner.");
    try {
      await reassignKey(ctx.db, { keyId: String(req.params.id), scope: scopeOf(viewer), ownerId: form.data.owner_id, actor: viewer.actor });
    } catch (err) {
      if (err instanceof ValidationError) return renderReassign(req, res, viewer, err.message);
      throw err;
    }
    res.redirect(303, "/settings/api-keys?notice=key_reassigned");
  });

  return router;
}
