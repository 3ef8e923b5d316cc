import type { Db } from "../db/client.js";
import { DpopError } from "./dpop-error.js";
import { DPOP_IAT_WINDOW_S, ProofRejected, verifyDpopProof } from "./dpop-proof.js";
import { recordFirstUse } from "./proof-replay-store.js";

/** How the access token was presented: `Authorization: Bearer …` or `Authorization: DPoP …`. */
export type TokenScheme = "bearer" | "dpop";

/** What a DPoP proof is checked against: the request as this server received it. */
export interface PresentedRequest {
  method: string;
  /** The request target as received (Express's originalUrl); only its path is used. */
  target: string;
  /** The DPoP header; several headers arrive joined by commas, which no JWT contains. */
  proof: string | undefined;
}

/**
 * Enforces DPoP on /v1 (RFC 9449 §7): a token bound to a key (its `jkt`) is accepted only with the DPoP scheme
 * and a fresh proof by that key for this very request; an unbound token is accepted only as Bearer. The proof's
 * htu must name ISSUER's URL for the request, never what the request itself says its host was. A jti is
 * accepted once across every node (the replay store's unique insert).
 */
export class DpopSenderConstraint {
  private readonly base: string;

  constructor(
    private readonly db: Pick<Db, "dpopProof">,
    issuer: string,
  ) {
    this.base = issuer.replace(/\/+$/, "");
  }

  /**
   * Throws a DpopError unless `token`, bound to `jkt` (or to nothing), was presented as its binding requires.
   * An unbound token is decided synchronously (nothing returned, no promise: the common case on every /v1
   * request); a bound one returns the promise of its proof's check.
   */
  check(scheme: TokenScheme, token: string, jkt: string | undefined, request: PresentedRequest | undefined): Promise<void> | undefined {
    if (!jkt) {
      if (scheme === "dpop") throw new DpopError("invalid_token", "This access token is not DPoP-bound: send it as Authorization: Bearer <token>.");
      return undefined;
    }
    return this.checkProof(scheme, token, jkt, request);
  }

  private async checkProof(scheme: TokenScheme, token: string, jkt: string, request: PresentedRequest | undefined): Promise<void> {
    if (scheme !== "dpop") {
      throw new DpopError("invalid_token", "This access token is DPoP-bound: send it as Authorization: DPoP <token> with a DPoP proof.");
    }
    if (!request?.proof) throw new DpopError("invalid_dpop_proof", "A DPoP proof is required with a DPoP-bound access token.");
    const proof = await this.verify(request.method, request.target, request.proof, token);
    if (proof.jkt !== jkt) throw new DpopError("invalid_token", "The DPoP proof is signed by another key than the one this token is bound to.");
    const fresh = await recordFirstUse(this.db, `v1:${jkt}:${proof.jti}`, new Date((proof.iat + DPOP_IAT_WINDOW_S + 1) * 1000));
    if (!fresh) throw new DpopError("invalid_dpop_proof", "This DPoP proof was already used: send a new proof with every request.");
  }

  private async verify(method: string, target: string, proof: string, token: string) {
    const path = new URL(target, "http://target.invalid").pathname;
    try {
      return await verifyDpopProof(proof, { method, url: `${this.base}${path}`, accessToken: token });
    } catch (err) {
      if (err instanceof ProofRejected) throw new DpopError("invalid_dpop_proof", err.message);
      throw err;
    }
  }
}
