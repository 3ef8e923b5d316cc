import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { type AccessScope, administeredWorkspaces, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { ConflictError } from "../errors/app-error.js";
import { toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { IssuedKey } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { withChanges } from "../change-feed/record-changes.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";
import { previousSecretEnd, type RotationOverlap } from "./rotation-overlap.js";

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
  const row = await withChanges(deps, async (tx, recordChange) => {
    // Take the key's row lock first (PostgreSQL; SQLite has one writer anyway) by writing a value back: concurrent
    // rotations then run one after the other, each reading the secret the previous one wrote, instead of racing
    // and retrying until one gives up. Portable SQL, one bound parameter.
    await tx.$executeRaw`UPDATE "ApiKey" SET "id" = "id" WHERE "id" = ${target.id}`;
    // The one lookup: 404 outside the scope, 403 where it is only a member (then nothing is updated).
    const before = requireManaged(target.scope, "API key", await tx.apiKey.findFirst({ where: { id: target.id, ...visibleWorkspaces(target.scope) } }));
    const updated = await tx.apiKey.updateMany({
      where: {
        id: target.id,
        ...administeredWorkspaces(target.scope),
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
    const current = await tx.apiKey.findFirstOrThrow({ where: { id: target.id }, include: withKeyRelations });
    if (updated.count === 0) {
      const live = current.status === "active" && (!current.expiresAt || current.expiresAt > now);
      if (live && target.expectedRotatedAt !== undefined) {
        throw new ConflictError("key_already_rotated", "The key was rotated since this form was shown.");
      }
      if (!live) throw new ConflictError("key_not_active", "Only an active key can be rotated.");
      // Another rotation committed between our read and our update: read again and retry.
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
    await recordChange("api_key", current.id);
    return current;
  });
  return row && { key, apiKey: toApiKeyView(row) };
}
