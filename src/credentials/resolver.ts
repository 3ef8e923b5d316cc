import { KEY_PREFIX } from "../api-keys/key-format.js";
import { AuthenticationError } from "../errors/app-error.js";
import { parseBearer } from "./bearer.js";
import type { CredentialVerifier, Principal } from "./principal.js";

/**
 * The one way a /v1 request becomes a principal: `mrk_` keys go to the key verifier, anything else to the
 * OAuth access-token verifier.
 */
export class CredentialResolver {
  private accessTokens?: CredentialVerifier;

  constructor(private readonly apiKeys: CredentialVerifier) {}

  /** Plugs in OAuth access tokens (the authorization server registers itself at start). */
  useAccessTokens(verifier: CredentialVerifier): void {
    this.accessTokens = verifier;
  }

  async resolve(authorizationHeader: string | undefined): Promise<Principal> {
    const credential = parseBearer(authorizationHeader);
    if (credential.startsWith(KEY_PREFIX)) return this.apiKeys.verify(credential);
    if (!this.accessTokens) {
      throw new AuthenticationError("invalid_access_token", "The access token is invalid, expired or revoked.");
    }
    return this.accessTokens.verify(credential);
  }
}
