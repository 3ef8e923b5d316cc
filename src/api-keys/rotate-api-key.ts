import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { ConflictError, NotFoundError } from "../errors/app-error.js";
import { toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { IssuedKey } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";
import { previousSecretEnd, type RotationOverlap } from "./rotation-overlap.js";

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
  /** How long the replaced secret keeps working (default: it stops at once). */
  overlap?: RotationOverlap;
}

/** Attempts when another rotation of the same key commits between our read and our update. */
const ATTEMPTS = 5;

/**
 * Gives a key a new secret. The old one dies at once, or with an overlap keeps working until the chosen
 * instant; a rotation during an overlap ends the older overlap (only the secret it replaces lives on).
 * Only an active, unexpired key can be rotated, and the update is conditional on the secret it read, so
 * concurrent rotations each replace the secret in turn and exactly the last one's secret (and, with an
 * overlap, the one it replaced) works.
 */
export async function rotateApiKey(deps: ApiKeyDeps, target: RotateTarget): Promise<IssuedKey> {
  for (let attempt = 1; ; attempt++) {
    const issued = await rotateOnce(deps, target);
    if (issued) return issued;
    if (attempt >= ATTEMPTS) throw new ConflictError("key_rotation_conflict", "The key is being rotated by someone else. Try again.");
  }
}

async function rotateOnce(deps: ApiKeyDeps, target: RotateTarget): Promise<IssuedKey | null> {
  const key = generateKey();
  const now = new Date();
  const overlap = target.overlap ?? "now";
  const previousExpiresAt = previousSecretEnd(overlap, now);
  const row = await deps.db.$transaction(async (tx) => {
    const scope = { id: target.id, ...(target.workspaceIds ? { workspaceId: { in: target.workspaceIds } } : {}) };
    const before = await tx.apiKey.findFirst({ where: scope });
    if (!before) throw new NotFoundError("API key");
    const updated = await tx.apiKey.updateMany({
      where: {
        ...scope,
        digest: before.digest,
        ...(target.expectedRotatedAt !== undefined ? { rotatedAt: target.expectedRotatedAt } : {}),
        status: "active",
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      data: {
        digest: digestKey(key),
        prefix: displayPrefix(key),
        rotatedAt: now,
        previousDigest: previousExpiresAt ? before.digest : null,
        previousExpiresAt,
      },
    });
    const current = await tx.apiKey.findFirst({ where: scope, include: withKeyRelations });
    if (!current) throw new NotFoundError("API key");
    if (updated.count === 0) {
      const live = current.status === "active" && (!current.expiresAt || current.expiresAt > now);
      if (live && target.expectedRotatedAt !== undefined) {
        throw new ConflictError("key_already_rotated", "The key was rotated since this form was shown.");
      }
      if (!live) throw new ConflictError("key_not_active", "Only an active key can be rotated.");
      return null;
    }
    await recordAudit(tx, {
      workspaceId: current.workspaceId,
      actor: target.actor,
      action: "api_key.rotated",
      target: { type: "api_key", id: current.id },
      details: {
        name: current.name,
        prefix: current.prefix,
        previous_prefix: before.prefix,
        overlap,
        previous_expires_at: previousExpiresAt,
      },
    });
    await tx.credentialEvent.create({ data: { kind: "api_key", targetId: current.id } });
    return current;
  });
  if (!row) return null;
  deps.feed.emit("api_key", row.id);
  return { key, apiKey: toApiKeyView(row) };
}
