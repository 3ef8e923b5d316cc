import { type AccessScope, administeredWorkspaces } from "../access/access-scope.js";
import type { WebhookDeps } from "./deps.js";
import { toWebhookView, type WebhookView } from "./webhook-view.js";
import { requireVisibleWorkspace } from "./workspace-access.js";

/** A workspace's endpoints, oldest first (the order they were added). Members see them; only admins change them. */
export async function listWebhooks(deps: WebhookDeps, scope: AccessScope, workspaceId: string): Promise<WebhookView[]> {
  await requireVisibleWorkspace(deps.db, scope, workspaceId);
  const rows = await deps.db.webhookEndpoint.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map((row) => toWebhookView(row));
}

/** The workspace's endpoints the system disabled after failures (the banner in Settings). */
export async function disabledWebhooks(deps: WebhookDeps, scope: AccessScope, workspaceId: string): Promise<WebhookView[]> {
  await requireVisibleWorkspace(deps.db, scope, workspaceId);
  const rows = await deps.db.webhookEndpoint.findMany({ where: { workspaceId, status: "disabled" }, orderBy: [{ disabledAt: "desc" }, { id: "asc" }] });
  return rows.map((row) => toWebhookView(row));
}

/**
 * The disabled endpoints of every workspace the scope administers, in one query: what the Settings banner asks on
 * each page, where a call per workspace cost two queries each.
 */
export async function disabledWebhooksToReview(deps: WebhookDeps, scope: AccessScope): Promise<WebhookView[]> {
  const rows = await deps.db.webhookEndpoint.findMany({
    where: { ...administeredWorkspaces(scope), status: "disabled" },
    orderBy: [{ disabledAt: "desc" }, { id: "asc" }],
  });
  return rows.map((row) => toWebhookView(row));
}
