import { administeredWorkspaces, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type ApiKeyView, toApiKeyView } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import { withChanges } from "../change-feed/record-changes.js";
import { revokeKeyInTransaction } from "./revoke-key-in-transaction.js";
import type { KeyTarget } from "./rotate-api-key.js";

/** Revokes a key: it fails on the very next request. Revoking an already revoked key succeeds. */
export async function revokeApiKey(deps: ApiKeyDeps, target: KeyTarget): Promise<ApiKeyView> {
  const now = new Date();
  const row = await withChanges(deps, async (tx, recordChange) => {
    const revoked = await revokeKeyInTransaction(
      tx,
      recordChange,
      { id: target.id, ...administeredWorkspaces(target.scope) },
      target.actor,
      now,
      { id: target.id, ...visibleWorkspaces(target.scope) },
    );
    // The one lookup: 404 outside the scope, 403 where it is only a member (then nothing was updated).
    return requireManaged(target.scope, "API key", revoked?.row ?? null);
  });
  return toApiKeyView(row);
}
