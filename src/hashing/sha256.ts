import crypto from "node:crypto";

/** The SHA-256 digest of a UTF-8 string: hex (stored digests, checksums), base64url (ids), or raw bytes. */
export function sha256(value: string, encoding: "hex" | "base64url"): string;
export function sha256(value: string): Buffer;
export function sha256(value: string, encoding?: "hex" | "base64url"): string | Buffer {
  const hash = crypto.createHash("sha256").update(value);
  return encoding ? hash.digest(encoding) : hash.digest();
}
