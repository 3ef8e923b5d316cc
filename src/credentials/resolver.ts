import { KEY_PREFIX } from "../api-keys/key-format.js";
import { AuthenticationError } from "../errors/app-error.js";
import { parseBearer } from "./bearer.js";
import type { CredentialVerifier, Principal } from "./principal.js";

/** What a header claims to carry, before it is checked. */
function credentialKind(header: string | undefined): "api_key" | "oauth" | "none" {
  if (!header || !/^Bearer[ \t]/i.test(header)) return "none";
  return /^Bearer +mrk_/i.test(header) ? "api_key" : "oauth";
}

/**
 * The one way a /v1 request becomes a principal: `mrk_` keys go to the key verifier, anything else to the
 * OAuth access-token verifier.
 */
export class CredentialResolver {
  private accessTokens?: CredentialVerifier;

  /** `onCheck` hears every check: what the credential claimed to be and `ok` or the error code (metrics). */
  constructor(
    private readonly apiKeys: CredentialVerifier,
    private readonly onCheck?: (kind: "api_key" | "oauth" | "none", outcome: string) => void,
  ) {}

  /** Plugs in OAuth access tokens (the authorization server registers itself at start). */
  useAccessTokens(verifier: CredentialVerifier): void {
    this.accessTokens = verifier;
  }

  async resolve(authorizationHeader: string | undefined): Promise<Principal> {
    if (!this.onCheck) return this.verify(authorizationHeader);
    const kind = credentialKind(authorizationHeader);
    try {
      const principal = await this.verify(authorizationHeader);
      this.onCheck(kind, "ok");
      return principal;
    } catch (err) {
      this.onCheck(kind, err instanceof AuthenticationError ? err.code : "error");
      throw err;
    }
  }

  private async verify(authorizationHeader: string | undefined): Promise<Principal> {
    const credential = parseBearer(authorizationHeader);
    if (credential.startsWith(KEY_PREFIX)) return this.apiKeys.verify(credential);
    if (!this.accessTokens) {
      throw new AuthenticationError("invalid_access_token", "The access token is invalid, expired or revoked.");
    }
    return this.accessTokens.verify(credential);
  }
}
