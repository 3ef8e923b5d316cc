import { recordAudit } from "../audit/audit-log.js";
import { administeredWorkspaces, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import { withChanges } from "../change-feed/record-changes.js";
import type { KeyTarget } from "./rotate-api-key.js";

/** Revokes a key: it fails on the very next request. Revoking an already revoked key succeeds. */
export async function revokeApiKey(deps: ApiKeyDeps, target: KeyTarget): Promise<ApiKeyView> {
  const now = new Date();
  const row = await withChanges(deps, async (tx, recordChange) => {
    const updated = await tx.apiKey.updateMany({
      where: { id: target.id, ...administeredWorkspaces(target.scope), status: { not: "revoked" } },
      data: { status: "revoked", revokedAt: now },
    });
    // The one lookup: 404 outside the scope, 403 where it is only a member (then nothing was updated).
    const current = requireManaged(
      target.scope,
      "API key",
      await tx.apiKey.findFirst({ where: { id: target.id, ...visibleWorkspaces(target.scope) }, include: withKeyRelations }),
    );
    if (updated.count > 0) {
      await recordAudit(tx, {
        workspaceId: current.workspaceId,
        actor: target.actor,
        action: "api_key.revoked",
        target: { type: "api_key", id: current.id },
        details: { name: current.name, prefix: current.prefix },
      });
      await recordChange("api_key", current.id);
    }
    return current;
  });
  return toApiKeyView(row);
}
