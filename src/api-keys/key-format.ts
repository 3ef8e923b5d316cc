import crypto from "node:crypto";
import { sha256 } from "../hashing/sha256.js";
import zlib from "node:zlib";

/**
 * Workspace API key format: `mrk_` + 40 base62 random characters + 6 base62 characters of CRC32.
 * The checksum lets us refuse a mistyped key without touching the database, and the fixed shape lets
 * secret scanners recognise a leaked key.
 */
export const KEY_PREFIX = "mrk_";
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function toBase62(value: number, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function checksum(body: string): string {
  return toBase62(zlib.crc32(body), CHECKSUM_LENGTH);
}

/** 40 characters drawn uniformly from base62 by a CSPRNG (rejection sampling keeps it unbiased). */
function randomBody(): string {
  let out = "";
  while (out.length < BODY_LENGTH) {
    for (const byte of crypto.randomBytes(64)) {
      if (byte < 248 && out.length < BODY_LENGTH) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Makes a new secret key. Its plaintext leaves the server exactly once. */
export function generateKey(): string {
  const body = randomBody();
  return `${KEY_PREFIX}${body}${checksum(body)}`;
}

/** Whether a string has the exact shape of a key we could have issued (its checksum not checked). */
export function hasKeyShape(candidate: string): boolean {
  return candidate.length === KEY_LENGTH && SHAPE.test(candidate);
}

/**
 * Whether a key-shaped string's last six characters are the checksum of its body. The checksum is no secret (it
 * follows from the body), so a plain comparison will do.
 */
export function hasValidChecksum(key: string): boolean {
  return checksum(key.slice(KEY_PREFIX.length, KEY_PREFIX.length + BODY_LENGTH)) === key.slice(KEY_PREFIX.length + BODY_LENGTH);
}

/** Whether a string has the exact shape and a matching checksum of a key we could have issued. */
export function isWellFormedKey(candidate: string): boolean {
  return hasKeyShape(candidate) && hasValidChecksum(candidate);
}

/** What is stored and looked up: SHA-256 of the whole key (the key itself has 238 bits of entropy). */
export function digestKey(key: string): string {
  return sha256(key, "hex");
}

/** The part people see in lists to recognise a key: `mrk_` and the first 8 random characters. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 8);
}
