import crypto from "node:crypto";

/** The SHA-256 digest of a UTF-8 string: hex (stored digests, checksums), base64url (ids), or raw bytes. */
export function sha256(value: string, encoding: "hex" | "base64url"): string;
export function sha256(value: string): Buffer;
export function sha256(value: string, encoding?: "hex" | "base64url"): string | Buffer {
  // The one-shot form: no Hash object per call (a key check digests the presented key on every request).
  return crypto.hash("sha256", value, encoding ?? "buffer");
}
