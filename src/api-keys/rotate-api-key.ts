import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { ConflictError, NotFoundError } from "../errors/app-error.js";
import { toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { IssuedKey } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";

export interface KeyTarget {
  id: string;
  /** When set, the key must belong to this workspace (Settings); the CLI operator may name any key. */
  workspaceIds?: string[];
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
  const row = await deps.db.$transaction(async (tx) => {
    const scope = { id: target.id, ...(target.workspaceIds ? { workspaceId: { in: target.workspaceIds } } : {}) };
    const updated = await tx.apiKey.updateMany({
      where: {
        ...scope,
        ...(target.expectedRotatedAt !== undefined ? { rotatedAt: target.expectedRotatedAt } : {}),
        status: "active",
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      data: { digest: digestKey(key), prefix: displayPrefix(key), rotatedAt: now },
    });
    const current = await tx.apiKey.findFirst({ where: scope, include: withKeyRelations });
    if (!current) throw new NotFoundError("API key");
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
    await tx.credentialEvent.create({ data: { kind: "api_key", targetId: current.id } });
    return current;
  });
  deps.feed.emit("api_key", row.id);
  return { key, apiKey: toApiKeyView(row) };
}
