import { sha256 } from "../hashing/sha256.js";

/**
 * SHA-256 (hex) of a request's fields in canonical form: keys sorted, absent (undefined) fields dropped.
 * Stored with an idempotency key, so a retry can be told apart from a different request reusing the key.
 */
export function requestFingerprint(fields: Record<string, unknown>): string {
  const canonical = Object.keys(fields)
    .filter((k) => fields[k] !== undefined)
    .sort()
    .map((k) => [k, fields[k]]);
  return sha256(JSON.stringify(canonical), "hex");
}
