import crypto from "node:crypto";
import type { SecretScanningKey } from "../config.js";
import { AppError } from "../errors/app-error.js";

/** 401 for a secret-scanning report whose signature is missing, unknown or wrong. Nothing was revoked. */
export class InvalidSignatureError extends AppError {
  constructor() {
    super(401, "authentication_error", "invalid_signature", "The report's Github-Public-Key-Signature does not verify with a configured key.");
  }
}

/** A signature header value: base64 of a DER ECDSA signature (about 70 bytes; far less than this). */
const SIGNATURE = /^[A-Za-z0-9+/]{16,256}={0,2}$/;

/**
 * Checks reports signed as GitHub's secret-scanning partner program signs them: ECDSA P-256 over SHA-256 of
 * the raw body, DER-encoded, base64 in `Github-Public-Key-Signature`, made with the key named by
 * `Github-Public-Key-Identifier`. The keys are configured, never fetched (SECRET_SCANNING_PUBLIC_KEYS).
 */
export class PartnerSignatureVerifier {
  private readonly keys: Map<string, crypto.KeyObject>;

  constructor(keys: SecretScanningKey[]) {
    this.keys = new Map(keys.map((k) => [k.identifier, crypto.createPublicKey(k.pem)]));
  }

  /** Throws InvalidSignatureError unless `signature` is a valid signature of `body` by the named key. */
  verify(body: Buffer, identifier: string | undefined, signature: string | undefined): void {
    const key = identifier ? this.keys.get(identifier) : undefined;
    if (!key || !signature || !SIGNATURE.test(signature)) throw new InvalidSignatureError();
    let valid = false;
    try {
      valid = crypto.verify("sha256", body, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
    } catch {
      valid = false;
    }
    if (!valid) throw new InvalidSignatureError();
  }
}
