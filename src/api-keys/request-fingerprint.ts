import crypto from "node:crypto";

/**
 * SHA-256 (hex) of a request's fields in canonical form: keys sorted, absent (undefined) fields dropped.
 * Stored with an idempotency key, so a retry can be told apart from a different request reusing the key.
 */
export function requestFingerprint(fields: Record<string, unknown>): string {
  const canonical = Object.keys(fields)
    .filter((k) => fields[k] !== undefined)
    .sort()
    .map((k) => [k, fields[k]]);
  return crypto.createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}
