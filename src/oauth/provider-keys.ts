import crypto from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK, SigningAlgorithmWithNone } from "oidc-provider";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { getOrCreateSecret } from "../security/server-secrets.js";

export interface ProviderKeys {
  /** Private signing keys (ID tokens). */
  jwks: { keys: JWK[] };
  /** Keys signing the provider's cookies; the first signs, all verify. */
  cookieKeys: string[];
}

async function generateJwks(): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ keys: [{ ...jwk, alg: "ES256", use: "sig", kid: crypto.randomUUID() }] });
}

function parseJwks(text: string, source: string): { keys: JWK[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${source} must be a JWK Set with at least one private key`);
  return { keys: keys as JWK[] };
}

/**
 * The provider's signing and cookie keys: from configuration (OIDC_JWKS, COOKIE_KEYS) when given, otherwise
 * generated on first start and stored in the database (insert-if-absent, so nodes starting together agree).
 * Development keys are never used.
 */
export async function loadProviderKeys(db: Db, config: Pick<Config, "oidcJwks" | "cookieKeys">): Promise<ProviderKeys> {
  const jwks = config.oidcJwks
    ? parseJwks(config.oidcJwks, "OIDC_JWKS")
    : parseJwks(await getOrCreateSecret(db, "oidc-jwks", generateJwks), "the stored signing keys");
  const cookieKeys = config.cookieKeys?.length
    ? config.cookieKeys
    : (JSON.parse(
        await getOrCreateSecret(db, "oidc-cookie-keys", () => JSON.stringify([crypto.randomBytes(32).toString("base64url")])),
      ) as string[]);
  return { jwks, cookieKeys };
}

/** The ID token signing algorithm the first key supports. */
export function signingAlgorithm(jwks: { keys: JWK[] }): SigningAlgorithmWithNone {
  const [key] = jwks.keys;
  if (typeof key.alg === "string") return key.alg as SigningAlgorithmWithNone;
  if (key.kty === "EC") return "ES256";
  if (key.kty === "OKP") return "Ed25519";
  return "RS256";
}
