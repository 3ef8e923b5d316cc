import { calculateJwkThumbprint, EmbeddedJWK, type JWTPayload, jwtVerify } from "jose";
import { sha256 } from "../hashing/sha256.js";

/** Algorithms a DPoP proof may be signed with, at the token endpoint and on /v1 (the provider's defaults). */
export const DPOP_ALGORITHMS = ["ES256", "Ed25519", "EdDSA"] as const;

/** How far a proof's `iat` may be from this server's clock, either way, in seconds. */
export const DPOP_IAT_WINDOW_S = 60;

/** A proof that passed every check of its own; the caller still checks the key and records the jti. */
export interface VerifiedProof {
  /** RFC 7638 thumbprint of the proof's public key. */
  jkt: string;
  jti: string;
  iat: number;
}

/** What the proof must be about: this request and this token. */
export interface ProofExpectation {
  method: string;
  /** The request's URL as ISSUER names it, without query or fragment. */
  url: string;
  accessToken: string;
  now?: number;
}

export class ProofRejected extends Error {}

/** A URL without query and fragment, normalized (RFC 9449 §4.3 point 9), or undefined when it is none. */
function comparableUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const url = URL.parse(value);
  if (!url) return undefined;
  url.search = "";
  url.hash = "";
  return url.href;
}

function claimsOf(payload: JWTPayload, expected: ProofExpectation): { jti: string; iat: number } {
  const { jti, iat, htm, htu, ath } = payload;
  if (typeof jti !== "string" || !jti || jti.length > 256) throw new ProofRejected("DPoP proof must have a jti");
  if (typeof iat !== "number") throw new ProofRejected("DPoP proof must have an iat");
  const now = Math.floor((expected.now ?? Date.now()) / 1000);
  if (Math.abs(now - iat) > DPOP_IAT_WINDOW_S) throw new ProofRejected("DPoP proof iat is not recent enough");
  if (htm !== expected.method) throw new ProofRejected("DPoP proof htm does not match the request method");
  if (comparableUrl(htu) !== comparableUrl(expected.url)) throw new ProofRejected("DPoP proof htu does not match the request URL");
  if (ath !== sha256(expected.accessToken, "base64url")) throw new ProofRejected("DPoP proof ath does not match the access token");
  return { jti, iat };
}

/**
 * Checks a DPoP proof JWT against a request (RFC 9449 §4.3): `typ` dpop+jwt, an allowed algorithm, a valid
 * signature by the public JWK in its own header, and the claims jti, iat (within the window), htm, htu and ath.
 */
export async function verifyDpopProof(proof: string, expected: ProofExpectation): Promise<VerifiedProof> {
  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: [...DPOP_ALGORITHMS] });
  } catch {
    throw new ProofRejected("DPoP proof is not a valid dpop+jwt signed by its embedded public key");
  }
  const { jti, iat } = claimsOf(verified.payload, expected);
  const jwk = verified.protectedHeader.jwk;
  if (!jwk) throw new ProofRejected("DPoP proof must carry its public key");
  return { jkt: await calculateJwkThumbprint(jwk), jti, iat };
}
