import crypto from "node:crypto";
import { sha256 } from "../hashing/sha256.js";

/** Invitation links carry this prefix, so a leaked one is recognisable (and never mistaken for an API key). */
const PREFIX = "inv_";
const SHAPE = /^inv_[A-Za-z0-9_-]{43}$/;

/** A new invitation secret: 256 random bits, base64url. Only its digest is stored. */
export function newInvitationSecret(): string {
  return PREFIX + crypto.randomBytes(32).toString("base64url");
}

/** Whether a value has the shape of an invitation secret (checked before any database read). */
export function isInvitationSecret(value: unknown): value is string {
  return typeof value === "string" && SHAPE.test(value);
}

/** SHA-256 of the secret: the only form stored; looked up through a unique index, never compared in code. */
export function invitationDigest(secret: string): string {
  return sha256(secret, "hex");
}

/**
 * The link the invitee opens. The secret rides in the query string, which the request log never records
 * (it logs paths only), and the page sends no Referer (helmet's `no-referrer`).
 */
export function invitationLink(issuer: string, secret: string): string {
  return `${issuer}/invitations/accept?token=${secret}`;
}
