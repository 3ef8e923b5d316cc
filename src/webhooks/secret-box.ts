import crypto from "node:crypto";
import type { Db } from "../db/client.js";
import { getOrCreateSecret } from "../security/server-secrets.js";

/**
 * Encrypts webhook signing secrets at rest with AES-256-GCM. Unlike our other secrets (stored as digests), these
 * must be read back to sign. Each value names the key it was sealed with (a short fingerprint), so a value sealed
 * under another key fails with a clear message instead of garbage.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #keyId: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("a webhook secrets key is 32 bytes");
    this.#key = key;
    this.#keyId = crypto.createHash("sha256").update(key).digest("base64url").slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.#key, iv);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", this.#keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), sealed.toString("base64url")].join(".");
  }

  open(value: string): string {
    const [version, keyId, iv, tag, sealed] = value.split(".");
    if (version !== "v1" || !sealed) throw new SecretUnreadableError("the stored signing secret is not in a known format");
    if (keyId !== this.#keyId) throw new SecretUnreadableError("the signing secret was encrypted under another WEBHOOK_SECRETS_KEY; rotate the secret");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretUnreadableError("the stored signing secret failed its integrity check");
    }
  }
}

/** A stored secret this process cannot read; the attempt records the message. */
export class SecretUnreadableError extends Error {}

/**
 * The box for this deployment: WEBHOOK_SECRETS_KEY when set (production: keep it outside the database that holds
 * the ciphertexts), otherwise a key generated on first start and stored in the database, shared by every node.
 */
export async function loadSecretBox(db: Db, configured: Buffer | undefined): Promise<SecretBox> {
  if (configured) return new SecretBox(configured);
  const stored = await getOrCreateSecret(db, "webhook-secrets-key", () => crypto.randomBytes(32).toString("base64url"));
  return new SecretBox(Buffer.from(stored, "base64url"));
}
