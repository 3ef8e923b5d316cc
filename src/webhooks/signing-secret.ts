import crypto from "node:crypto";

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString("base64")}`;
}

/** The bytes an HMAC is keyed with: the base64 after the `whsec_` prefix. */
export function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64");
}

/** What lists show of a secret: its last 4 characters before the base64 padding (which is the same for all). */
export function secretHint(secret: string): string {
  return `…${secret.replace(/=+$/, "").slice(-4)}`;
}

/** How long a replaced secret keeps signing alongside the new one. */
export const PREVIOUS_SECRET_OVERLAP_MS = 24 * 3_600_000;
