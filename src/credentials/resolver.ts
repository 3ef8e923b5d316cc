import { KEY_PREFIX } from "../api-keys/key-format.js";
import { AuthenticationError, IpNotAllowedError } from "../errors/app-error.js";
import { parseAuthorization } from "./bearer.js";
import { DpopError } from "../dpop/dpop-error.js";
import type { DpopSenderConstraint, PresentedRequest } from "../dpop/sender-constraint.js";
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
   * `request` is what a DPoP proof is checked against (method, target, the DPoP header).
   */
  async resolve(authorizationHeader: string | undefined, caller: Caller, request?: PresentedRequest): Promise<Principal> {
    try {
      const { scheme, credential } = parseAuthorization(authorizationHeader);
      const isKey = credential.startsWith(KEY_PREFIX);
      if (scheme === "dpop" && (isKey || !this.senderConstraint)) {
        throw new DpopError("invalid_token", "Only DPoP-bound access tokens use the DPoP scheme; send this credential as Bearer.");
      }
      const principal = await (isKey ? this.apiKeys : this.accessTokenVerifier()).verify(credential, caller);
      if (principal.credential.type === "oauth") {
        await this.senderConstraint?.check(scheme, credential, principal.credential.jkt, request);
      }
      this.onCheck?.(isKey ? "api_key" : "oauth", "ok");
      return principal;
    } catch (err) {
      const code = err instanceof AuthenticationError || err instanceof IpNotAllowedError ? err.code : "error";
      this.onCheck?.(KIND_OF_FAILURE[code] ?? "none", code);
      throw err;
    }
  }

  private accessTokenVerifier(): CredentialVerifier {
    if (!this.accessTokens) {
      throw new AuthenticationError("invalid_access_token", "The access token is invalid, expired or revoked.");
    }
    return this.accessTokens;
  }
}
