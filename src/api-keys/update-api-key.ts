import { recordAudit } from "../audit/audit-log.js";
import { requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { withChanges } from "../change-feed/record-changes.js";
import { ValidationError } from "../errors/app-error.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";
import { MAX_KEY_NAME } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { normalizeAllowlist } from "./ip-allowlist.js";
import { accessOf, normalizeScopes, scopesOfKey, storedScopes } from "./key-scopes.js";
import type { KeyTarget } from "./rotate-api-key.js";

/** What an edit may change; absent fields stay as they are. The workspace never changes. */
export interface ApiKeyChanges {
  name?: string;
  scopes?: readonly string[];
  /** The whole new list (empty: any address). */
  ipAllowlist?: readonly string[];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Edits a key's name, permissions or allowlist. The change and its audit entry (with each field's before and
 * after) commit together; the change feed then drops the cached key on this node at once and on the others
 * within the poll interval, so the next request is checked against the new rules.
 */
export async function updateApiKey(deps: ApiKeyDeps, target: KeyTarget, changes: ApiKeyChanges): Promise<ApiKeyView> {
  const name = changes.name?.trim();
  if (name !== undefined && (!name || name.length > MAX_KEY_NAME)) throw new ValidationError(`name must be 1 to ${MAX_KEY_NAME} characters.`);
  const scopes = changes.scopes && normalizeScopes(changes.scopes);
  const allowlist = changes.ipAllowlist && normalizeAllowlist(changes.ipAllowlist);
  const row = await withChanges(deps, async (tx, recordChange) => {
    // The one lookup: 404 outside the scope, 403 where it is only a member.
    const before = requireManaged(target.scope, "API key", await tx.apiKey.findFirst({ where: { id: target.id, ...visibleWorkspaces(target.scope) } }));
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    if (name !== undefined && name !== before.name) diff.name = { from: before.name, to: name };
    const oldScopes = scopesOfKey(before);
    if (scopes && !same(scopes, oldScopes)) diff.scopes = { from: oldScopes, to: scopes };
    const oldAllowlist = before.ipAllowlist ? before.ipAllowlist.split(" ") : [];
    if (allowlist && !same(allowlist, oldAllowlist)) diff.ip_allowlist = { from: oldAllowlist, to: allowlist };
    if (Object.keys(diff).length === 0) return tx.apiKey.findUniqueOrThrow({ where: { id: before.id }, include: withKeyRelations });
    const updated = await tx.apiKey.update({
      where: { id: before.id },
      data: {
        ...(diff.name ? { name } : {}),
        ...(diff.scopes && scopes ? { scopes: storedScopes(scopes), access: accessOf(scopes) } : {}),
        ...(diff.ip_allowlist && allowlist ? { ipAllowlist: allowlist.join(" ") } : {}),
      },
      include: withKeyRelations,
    });
    await recordAudit(tx, {
      workspaceId: before.workspaceId,
      actor: target.actor,
      action: "api_key.updated",
      target: { type: "api_key", id: before.id },
      details: { name: updated.name, prefix: updated.prefix, changes: diff },
    });
    await recordChange("api_key", before.id);
    return updated;
  });
  return toApiKeyView(row);
}
