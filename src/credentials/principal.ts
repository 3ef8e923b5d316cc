import type { V1Scope } from "../scopes/scopes.js";

export type { V1Scope };

export type ApiKeyCredential = { type: "api_key"; id: string; prefix: string };
export type OAuthCredential = { type: "oauth"; authorizedAppId: string; clientId: string; grantId: string };

/** Who is calling /v1: the workspace the credential belongs to and what it may do there. */
export interface Principal {
  workspace: { id: string; name: string };
  scopes: ReadonlySet<string>;
  credential: ApiKeyCredential | OAuthCredential;
  /** The bucket requests are rate-limited in: one per key, one per authorized-app record. */
  rateKey: string;
}

/** Turns one kind of bearer credential into a principal, or throws an AuthenticationError. */
export interface CredentialVerifier {
  verify(credential: string): Promise<Principal>;
}
