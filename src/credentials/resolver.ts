import { KEY_PREFIX } from "../api-keys/key-format.js";
import { AuthenticationError, IpNotAllowedError } from "../errors/app-error.js";
import { parseAuthorization } from "./bearer.js";
import { DpopError } from "../dpop/dpop-error.js";
import type { DpopSenderConstraint, PresentedRequest, TokenScheme } from "../dpop/sender-constraint.js";
import type { Caller, CredentialVerifier, Principal } from "./principal.js";

type CredentialKind = "api_key" | "oauth" | "none";

/** What a refused header claimed to carry: the error code already says it (see invalidCredential). */
const KIND_OF_FAILURE: Record<string, CredentialKind> = {
  missing_credentials: "none",
  invalid_api_key: "api_key",
  invalid_access_token: "oauth",
  invalid_dpop_proof: "oauth",
  ip_not_allowed: "api_key",
};

/**
 * The one way a /v1 request becomes a principal: `mrk_` keys go to the key verifier, anything else to the
 * OAuth access-token verifier, whose tokens then pass the DPoP sender constraint (keys are never DPoP-bound).
 */
export class CredentialResolver {
  private accessTokens?: CredentialVerifier;
  private senderConstraint?: DpopSenderConstraint;

  /** `onCheck` hears every check: what the credential claimed to be and `ok` or the error code (metrics). */
  constructor(
    private readonly apiKeys: CredentialVerifier,
    private readonly onCheck?: (kind: CredentialKind, outcome: string) => void,
  ) {}

  /** Plugs in OAuth access tokens (the authorization server registers itself at start). */
  useAccessTokens(verifier: CredentialVerifier): void {
    this.accessTokens = verifier;
  }

  /** Plugs in the DPoP check of access tokens; without it the DPoP scheme is refused. */
  useSenderConstraint(constraint: DpopSenderConstraint): void {
    this.senderConstraint = constraint;
  }

  /**
   * `caller` is who presents the credential (client address, user agent: key allowlists, last-use details);
   * `request` is what a DPoP proof is checked against (method, target, the DPoP header). A cached credential
   * that needs no proof is answered synchronously (no promise per request); a failure may be thrown at once.
   */
  resolve(authorizationHeader: string | undefined, caller: Caller, request?: PresentedRequest): Principal | Promise<Principal> {
    try {
      const { scheme, credential } = parseAuthorization(authorizationHeader);
      const isKey = credential.startsWith(KEY_PREFIX);
      if (scheme === "dpop" && (isKey || !this.senderConstraint)) {
        throw new DpopError("invalid_token", "Only DPoP-bound access tokens use the DPoP scheme; send this credential as Bearer.");
      }
      const verified = (isKey ? this.apiKeys : this.accessTokenVerifier()).verify(credential, caller);
      const admitted =
        verified instanceof Promise
          ? verified.then((principal) => this.constrain(principal, isKey, scheme, credential, request))
          : this.constrain(verified, isKey, scheme, credential, request);
      return admitted instanceof Promise ? admitted.catch((err: unknown) => this.refuse(err)) : admitted;
    } catch (err) {
      return this.refuse(err);
    }
  }

  /** The DPoP sender constraint on an access token (a promise only when a proof must be verified), then `ok`. */
  private constrain(
    principal: Principal,
    isKey: boolean,
    scheme: TokenScheme,
    credential: string,
    request: PresentedRequest | undefined,
  ): Principal | Promise<Principal> {
    if (principal.credential.type === "oauth") {
      const checking = this.senderConstraint?.check(scheme, credential, principal.credential.jkt, request);
      if (checking) return checking.then(() => this.admitted(principal, isKey));
    }
    return this.admitted(principal, isKey);
  }

  private admitted(principal: Principal, isKey: boolean): Principal {
    this.onCheck?.(isKey ? "api_key" : "oauth", "ok");
    return principal;
  }

  /** Reports the failure (what the credential claimed to be, its error code) and throws it on. */
  private refuse(err: unknown): never {
    const code = err instanceof AuthenticationError || err instanceof IpNotAllowedError ? err.code : "error";
    this.onCheck?.(KIND_OF_FAILURE[code] ?? "none", code);
    throw err;
  }

  private accessTokenVerifier(): CredentialVerifier {
    if (!this.accessTokens) {
      throw new AuthenticationError("invalid_access_token", "The access token is invalid, expired or revoked.");
    }
    return this.accessTokens;
  }
}
