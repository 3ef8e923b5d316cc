import { type Request, type Response, Router } from "express";
import type { AppContext } from "../context.js";
import { ConflictError, ValidationError } from "../errors/app-error.js";
import type { PageKit } from "../sessions/page-kit.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { createWebhook } from "../webhooks/create-webhook.js";
import { deleteWebhook } from "../webhooks/delete-webhook.js";
import { enableWebhook } from "../webhooks/enable-webhook.js";
import { findWebhook } from "../webhooks/find-webhook.js";
import { listWebhooks } from "../webhooks/list-webhooks.js";
import { rotateWebhookSecret } from "../webhooks/rotate-webhook-secret.js";
import { updateWebhook } from "../webhooks/update-webhook.js";
import { WEBHOOK_EVENT_DESCRIPTIONS, WEBHOOK_EVENT_TYPES } from "../webhook-outbox/webhook-events.js";
import type { WebhookView } from "../webhooks/webhook-view.js";
import { ADMIN_ROLES } from "../workspaces/administered-workspaces.js";
import { memberships, requireAdministered, scopeOf, selectedWorkspace, type Viewer } from "../workspaces/viewer.js";
import { renderSettings } from "./page.js";
import { webhookConfirmation } from "./webhook-confirmations.js";
import { parseEndpointForm, valuesOf, type WebhookFormValues } from "./webhook-form.js";

/** Everything webhooks.ejs can show on top of the list: at most one dialog, and a notice. */
interface ListExtras {
  add?: { values: WebhookFormValues; error: string | null };
  edit?: { webhook: WebhookView; values: WebhookFormValues; error: string | null };
  result?: { kind: "created" | "rotated"; secret: string; webhook: WebhookView };
  confirm?: { kind: "rotate" | "delete"; webhook: WebhookView };
  status?: number;
}

const NOTICES: Record<string, string> = {
  updated: "The endpoint was updated. The next events follow the new settings.",
  deleted: "The endpoint was deleted. No more events are sent to it.",
};

const EMPTY_FORM: WebhookFormValues = { url: "", description: "", events: [] };

export const webhooksUrl = (workspaceId: string, notice?: string) =>
  `/settings/webhooks?workspace=${encodeURIComponent(workspaceId)}${notice ? `&notice=${notice}` : ""}`;

/**
 * The Webhooks tab: a workspace's endpoints; owners and admins add them (the signing secret shown once), edit,
 * rotate the secret, delete and enable them again. Members see the list read-only.
 */
export function webhooksRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();
  const deps = ctx.webhooks;

  async function renderList(req: Request, res: Response, viewer: Viewer, workspaceId: unknown, extras: ListExtras = {}) {
    const workspace = selectedWorkspace(viewer, workspaceId);
    const webhooks = workspace ? await listWebhooks(deps, scopeOf(viewer), workspace.id) : [];
    renderSettings(req, res, kit, { tab: "webhooks", title: "Webhooks", viewer, status: extras.status }, {
      workspace,
      workspaces: memberships(viewer),
      canManage: workspace ? ADMIN_ROLES.includes(workspace.role) : false,
      webhooks,
      eventTypes: WEBHOOK_EVENT_TYPES,
      eventDescriptions: WEBHOOK_EVENT_DESCRIPTIONS,
      add: extras.add ?? null,
      edit: extras.edit ?? null,
      result: extras.result ?? null,
      confirm: extras.confirm ? webhookConfirmation(extras.confirm.kind, extras.confirm.webhook) : null,
      webhookConfirmation,
      notice: NOTICES[typeof req.query.notice === "string" ? req.query.notice : ""] ?? null,
    });
  }

  /** The endpoint named in the path, as the viewer may see it (404 outside their workspaces). */
  async function endpointOf(req: Request, viewer: Viewer) {
    return findWebhook(deps, scopeOf(viewer), String(req.params.id));
  }

  router.get("/settings/webhooks", async (req, res) => {
    await renderList(req, res, await viewerOf(ctx, req), req.query.workspace);
  });

  router.get("/settings/webhooks/new", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const workspace = selectedWorkspace(viewer, req.query.workspace);
    requireAdministered(viewer, workspace?.id ?? "");
    await renderList(req, res, viewer, workspace?.id, { add: { values: EMPTY_FORM, error: null } });
  });

  router.post("/settings/webhooks", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The form names its workspace; without one there is nothing to add to (403 like any workspace not administered).
    const named = typeof body.workspace_id === "string" && body.workspace_id ? selectedWorkspace(viewer, body.workspace_id) : null;
    const workspace = requireAdministered(viewer, named?.id ?? "");
    const retry = (error: string) => renderList(req, res, viewer, workspace.id, { status: 422, add: { values: valuesOf(body), error } });
    const form = parseEndpointForm(body);
    if (!form.ok) return retry(form.problem);
    let created;
    try {
      created = await createWebhook(deps, scopeOf(viewer), workspace.id, form.input, viewer.actor);
    } catch (err) {
      // Problems a person can fix (the URL, the events, too many endpoints) stay on the form.
      if (err instanceof ValidationError || err instanceof ConflictError) return retry(err.message);
      throw err;
    }
    await renderList(req, res, viewer, workspace.id, { status: 201, result: { kind: "created", ...created } });
  });

  router.get("/settings/webhooks/:id/edit", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const webhook = await endpointOf(req, viewer);
    requireAdministered(viewer, webhook.workspace_id);
    const values = { url: webhook.url, description: webhook.description ?? "", events: webhook.events };
    await renderList(req, res, viewer, webhook.workspace_id, { edit: { webhook, values, error: null } });
  });

  router.post("/settings/webhooks/:id/edit", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const webhook = await endpointOf(req, viewer);
    requireAdministered(viewer, webhook.workspace_id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const retry = (error: string) => renderList(req, res, viewer, webhook.workspace_id, { status: 422, edit: { webhook, values: valuesOf(body), error } });
    const form = parseEndpointForm(body);
    if (!form.ok) return retry(form.problem);
    try {
      await updateWebhook(deps, scopeOf(viewer), webhook.id, form.input, viewer.actor);
    } catch (err) {
      if (err instanceof ValidationError || err instanceof ConflictError) return retry(err.message);
      throw err;
    }
    res.redirect(303, webhooksUrl(webhook.workspace_id, "updated"));
  });

  router.get("/settings/webhooks/:id/:action", async (req, res, next) => {
    const action = req.params.action;
    if (action !== "rotate" && action !== "delete") return next();
    const viewer = await viewerOf(ctx, req);
    const webhook = await endpointOf(req, viewer);
    requireAdministered(viewer, webhook.workspace_id);
    await renderList(req, res, viewer, webhook.workspace_id, { confirm: { kind: action, webhook } });
  });

  router.post("/settings/webhooks/:id/rotate", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const rotated = await rotateWebhookSecret(deps, scopeOf(viewer), String(req.params.id), viewer.actor);
    await renderList(req, res, viewer, rotated.webhook.workspace_id, { result: { kind: "rotated", ...rotated } });
  });

  router.post("/settings/webhooks/:id/delete", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const webhook = await endpointOf(req, viewer);
    await deleteWebhook(deps, scopeOf(viewer), webhook.id, viewer.actor);
    res.redirect(303, webhooksUrl(webhook.workspace_id, "deleted"));
  });

  router.post("/settings/webhooks/:id/enable", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const webhook = await enableWebhook(deps, scopeOf(viewer), String(req.params.id), viewer.actor);
    res.redirect(303, `/settings/webhooks/${encodeURIComponent(webhook.id)}?notice=enabled`);
  });

  return router;
}
