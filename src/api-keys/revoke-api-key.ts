import { recordAudit } from "../audit/audit-log.js";
import { NotFoundError } from "../errors/app-error.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import type { KeyTarget } from "./rotate-api-key.js";

/** Revokes a key: it fails on the very next request. Revoking an already revoked key succeeds. */
export async function revokeApiKey(deps: ApiKeyDeps, target: KeyTarget): Promise<ApiKeyView> {
  const now = new Date();
  const row = await deps.db.$transaction(async (tx) => {
    const scope = { id: target.id, ...(target.workspaceIds ? { workspaceId: { in: target.workspaceIds } } : {}) };
    const updated = await tx.apiKey.updateMany({
      where: { ...scope, status: { not: "revoked" } },
      data: { status: "revoked", revokedAt: now },
    });
    const current = await tx.apiKey.findFirst({ where: scope, include: withKeyRelations });
    if (!current) throw new NotFoundError("API key");
    if (updated.count > 0) {
      await recordAudit(tx, {
        workspaceId: current.workspaceId,
        actor: target.actor,
        action: "api_key.revoked",
        target: { type: "api_key", id: current.id },
        details: { name: current.name, prefix: current.prefix },
      });
      await tx.credentialEvent.create({ data: { kind: "api_key", targetId: current.id } });
    }
    return current;
  });
  deps.feed.emit("api_key", row.id);
  return toApiKeyView(row);
}
