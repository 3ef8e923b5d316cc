import crypto from "node:crypto";
import { sha256 } from "../../hashing/sha256.js";

/** A new client secret: 256 random bits, base64url. Its plaintext leaves the server exactly once. */
export function generateClientSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** What is stored: SHA-256 of the secret (it has 256 bits of entropy, so a slow hash adds nothing). */
export function digestClientSecret(secret: string): string {
  return sha256(secret, "hex");
}

/** Compares a presented secret with a stored digest in constant time. */
export function clientSecretMatches(digest: string | undefined, presented: unknown): boolean {
  if (!digest || typeof presented !== "string" || presented.length === 0 || presented.length > 512) return false;
  const expected = Buffer.from(digest, "hex");
  const actual = Buffer.from(digestClientSecret(presented), "hex");
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/** A new client_id: random, URL-safe, not guessable from another one. */
export function generateClientId(): string {
  return crypto.randomBytes(18).toString("base64url");
}
