import { AuthenticationError } from "../errors/app-error.js";
import { DPOP_ALGORITHMS } from "./dpop-proof.js";

/**
 * RFC 9449 §7.1: `invalid_dpop_proof` when the proof itself fails a check of §4.3 (missing, malformed, wrong
 * signature, htm, htu, iat, ath, or a replay); `invalid_token` when the token and the way it is presented do
 * not match (bound token without the DPoP scheme, proof by another key, DPoP scheme on an unbound token).
 */
export type DpopErrorCode = "invalid_dpop_proof" | "invalid_token";

/** 401 with a DPoP challenge naming the error and the algorithms a proof may use; counted as a failed credential. */
export class DpopError extends AuthenticationError {
  constructor(error: DpopErrorCode, message: string) {
    const description = message.replace(/["\\]/g, "");
    super(
      error === "invalid_token" ? "invalid_access_token" : "invalid_dpop_proof",
      message,
      `DPoP error="${error}", error_description="${description}", algs="${DPOP_ALGORITHMS.join(" ")}"`,
    );
  }
}
