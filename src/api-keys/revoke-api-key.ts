import { NotFoundError } from "../errors/app-error.js";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import { revokeKeyInTransaction } from "./revoke-key-in-transaction.js";
import type { KeyTarget } from "./rotate-api-key.js";

/** Revokes a key: it fails on the very next request. Revoking an already revoked key succeeds. */
export async function revokeApiKey(deps: ApiKeyDeps, target: KeyTarget): Promise<ApiKeyView> {
  const now = new Date();
  const row = await deps.db.$transaction(async (tx) => {
    const scope = { id: target.id, ...(target.workspaceIds ? { workspaceId: { in: target.workspaceIds } } : {}) };
    const revoked = await revokeKeyInTransaction(tx, scope, target.actor, now);
    if (!revoked) throw new NotFoundError("API key");
    return revoked.row;
  });
  deps.feed.emit("api_key", row.id);
  return toApiKeyView(row);
}
