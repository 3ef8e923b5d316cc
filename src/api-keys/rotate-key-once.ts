import type { ApiKeyView } from "./api-key-view.js";
import type { IssuedKey } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { type KeyTarget, rotateApiKey } from "./rotate-api-key.js";
import type { RotationOverlap } from "./rotation-overlap.js";
import { AppError } from "../errors/app-error.js";
import { findApiKey } from "./find-api-key.js";

export interface RotateOnceTarget extends KeyTarget {
  /** The key's `rotated_at` when the confirmation was shown ("" if never rotated). */
  seenRotatedAt: string;
  /** When the replaced secret stops working (default: at once). */
  overlap?: RotationOverlap;
}

export type RotateOnceResult = IssuedKey | { key: null; apiKey: ApiKeyView; replayed: true };

/**
 * Rotates a key from the Settings confirmation form, but only if it has not been rotated since the form was
 * shown: reloading the result page re-posts the form, and that must not replace the secret just shown.
 */
export async function rotateKeyOnce(deps: ApiKeyDeps, target: RotateOnceTarget): Promise<RotateOnceResult> {
  const expectedRotatedAt = target.seenRotatedAt ? new Date(target.seenRotatedAt) : null;
  if (expectedRotatedAt && Number.isNaN(expectedRotatedAt.getTime())) {
    return { key: null, apiKey: await findApiKey(deps.db, target.id, target.scope), replayed: true };
  }
  try {
    // The condition is part of the update, so two racing posts of one form rotate the key once.
    return await rotateApiKey(deps, { ...target, expectedRotatedAt });
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "key_already_rotated") throw err;
    return { key: null, apiKey: await findApiKey(deps.db, target.id, target.scope), replayed: true };
  }
}
