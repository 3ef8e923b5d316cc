import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { type AccessScope, administeredWorkspaces, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { ConflictError } from "../errors/app-error.js";
import { toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { IssuedKey } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { withChanges } from "../change-feed/record-changes.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";

export interface KeyTarget {
  id: string;
  /** Whose keys this call may change: a person's administered workspaces, or the CLI operator's reach. */
  scope: AccessScope;
  actor: Actor;
}

export interface RotateTarget extends KeyTarget {
  /**
   * Rotate only if the key's rotated_at is still this (null: never rotated). A form re-posted by a reload
   * then cannot replace the secret it just showed, even when two posts race.
   */
  expectedRotatedAt?: Date | null;
}

/**
 * Gives a key a new secret; the old one dies at once. Only an active, unexpired key can be rotated, and
 * the check is part of the update, so concurrent rotations each replace the secret in turn and exactly
 * the last one's secret works.
 */
export async function rotateApiKey(deps: ApiKeyDeps, target: RotateTarget): Promise<IssuedKey> {
  const key = generateKey();
  const now = new Date();
  const row = await withChanges(deps, async (tx, recordChange) => {
    const updated = await tx.apiKey.updateMany({
      where: {
        id: target.id,
        ...administeredWorkspaces(target.scope),
        ...(target.expectedRotatedAt !== undefined ? { rotatedAt: target.expectedRotatedAt } : {}),
        status: "active",
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      data: { digest: digestKey(key), prefix: displayPrefix(key), rotatedAt: now },
    });
    // The one lookup: 404 outside the scope, 403 where it is only a member (then nothing was updated).
    const current = requireManaged(
      target.scope,
      "API key",
      await tx.apiKey.findFirst({ where: { id: target.id, ...visibleWorkspaces(target.scope) }, include: withKeyRelations }),
    );
    if (updated.count === 0) {
      const live = current.status === "active" && (!current.expiresAt || current.expiresAt > now);
      if (live && target.expectedRotatedAt !== undefined) {
        throw new ConflictError("key_already_rotated", "The key was rotated since this form was shown.");
      }
      throw new ConflictError("key_not_active", "Only an active key can be rotated.");
    }
    await recordAudit(tx, {
      workspaceId: current.workspaceId,
      actor: target.actor,
      action: "api_key.rotated",
      target: { type: "api_key", id: current.id },
      details: { name: current.name, prefix: current.prefix },
    });
    await recordChange("api_key", current.id);
    return current;
  });
  return { key, apiKey: toApiKeyView(row) };
}
