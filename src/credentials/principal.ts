import type { V1Scope } from "../scopes/scopes.js";

export type { V1Scope };

export type ApiKeyCredential = { type: "api_key"; id: string; prefix: string };
export type OAuthCredential = {
  type: "oauth";
  authorizedAppId: string;
  clientId: string;
  grantId: string;
  /** The thumbprint of the key a DPoP-bound token is bound to (RFC 9449); absent for a Bearer token. */
  jkt?: string;
};

/** Who is calling /v1: the workspace the credential belongs to and what it may do there. */
export interface Principal {
  workspace: { id: string; name: string };
  scopes: ReadonlySet<string>;
  credential: ApiKeyCredential | OAuthCredential;
  /** The bucket requests are rate-limited in: one per key, one per authorized-app record. */
  rateKey: string;
}

/**
 * The request a credential arrives with: the client address (as TRUST_PROXY defines it) and the user agent.
 * An Express request fits; `ip` is read only when a check or a last-use write needs it.
 */
export interface Caller {
  readonly ip?: string | undefined;
  readonly headers: { "user-agent"?: string | undefined };
}

/**
 * Turns one kind of bearer credential into a principal, or throws an AuthenticationError (at once or as a
 * rejection). The principal comes back synchronously when no database read is needed (a cached credential).
 */
export interface CredentialVerifier {
  verify(credential: string, caller: Caller): Principal | Promise<Principal>;
}
