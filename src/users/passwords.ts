import { hash, verify } from "@node-rs/argon2";
import type { Config } from "../config.js";

export type Argon2Cost = Config["argon2"];

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2;

/** Hashes a password with Argon2id at the configured cost (tests use the OWASP minimum). */
export function hashPassword(password: string, cost: Argon2Cost): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, ...cost });
}

// A real hash of a random password, verified when the email is unknown so that timing does not reveal
// which emails have accounts.
let decoy: Promise<string> | undefined;

/** Verifies a password against a stored hash, or against a decoy when there is no account. */
export async function verifyPassword(stored: string | null, password: string, cost: Argon2Cost): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword(crypto.randomUUID(), cost);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
