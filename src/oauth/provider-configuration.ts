import { type Adapter, type Configuration, errors, type FindAccount, interactionPolicy, type KoaContextWithOIDC } from "oidc-provider";
import { V1_SCOPES } from "../scopes/scopes.js";
import type { ProviderKeys } from "./provider-keys.js";
import { signingAlgorithm } from "./provider-keys.js";
import { PROTOCOL_SCOPES } from "../scopes/scopes.js";

export const ACCESS_TOKEN_TTL_S = 60 * 60;
export const AUTHORIZATION_CODE_TTL_S = 60;
export const REFRESH_TOKEN_TTL_S = 90 * 24 * 60 * 60;
/** The library has no "never" for grants: a century stands for "until revoked". */
const GRANT_TTL_S = 100 * 365 * 24 * 60 * 60;
const INTERACTION_TTL_S = 60 * 60;

/** Random bits in an opaque token; 256 bits make 43 base64url characters (the verifier checks that shape). */
export const OPAQUE_TOKEN_BITS = 256;

export interface ProviderOptions {
  /** The /v1 resource indicator: the audience of every access token. */
  resource: string;
  keys: ProviderKeys;
  /** Storage; oidc-provider's in-memory adapter when omitted (the benchmark compares both). */
  adapter?: (name: string) => Adapter;
  findAccount: FindAccount;
  /** Lifetime of the provider's own sign-in session, in seconds. */
  sessionTtlSeconds: number;
  extraTokenClaims?: Configuration["extraTokenClaims"];
  renderError?: Configuration["renderError"];
}

/**
 * Consent is asked on every authorization request: the workspace is chosen each time, so a past approval
 * never answers a new request (and `prompt=none` gets `consent_required`).
 */
function interactionPolicyWithConsentEveryTime() {
  const policy = interactionPolicy.base();
  policy
    .get("consent")
    ?.checks.add(
      new interactionPolicy.Check(
        "consent_every_time",
        "every authorization request needs the user's consent",
        (ctx: KoaContextWithOIDC) => !ctx.oidc.result?.consent?.grantId,
      ),
    );
  return policy;
}

/** The /v1 scopes a client may be granted: its registered ones (stored as the `v1_scope` metadata). */
function clientV1Scopes(client: { [key: string]: unknown }): string {
  const scope = client.v1_scope ?? client.v1Scope;
  const registered = new Set((typeof scope === "string" ? scope : "").split(" "));
  return V1_SCOPES.filter((s) => registered.has(s)).join(" ");
}

/**
 * The authorization server's policy, in one place: authorization code with PKCE S256 for every client, opaque
 * access tokens for the /v1 resource only, refresh tokens (rotated on every use) only with offline_access,
 * grants that outlive the browser session, and no development conveniences.
 */
export function providerConfiguration(options: ProviderOptions): Configuration {
  const { resource } = options;
  return {
    adapter: options.adapter,
    jwks: options.keys.jwks,
    cookies: {
      keys: options.keys.cookieKeys,
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" },
    },
    findAccount: options.findAccount,
    scopes: [...PROTOCOL_SCOPES],
    claims: { openid: ["sub"] },
    responseTypes: ["code"],
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    clientDefaults: {
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: signingAlgorithm(options.keys.jwks),
    },
    extraClientMetadata: { properties: ["v1_scope"] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      revocation: {
        enabled: true,
        // Another app's token: a confidential app is told no; a public one (anyone can claim its id) learns nothing.
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === "none") return false;
          throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
        },
      },
      introspection: {
        enabled: true,
        // An app may introspect its own tokens only; another app's token is reported inactive.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: clientV1Scopes(client),
            accessTokenFormat: "opaque",
            accessTokenTTL: ACCESS_TOKEN_TTL_S,
          };
        },
      },
    },
    formats: { bitsOfOpaqueRandomness: OPAQUE_TOKEN_BITS },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_S,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_S,
      // Sliding: every refresh rotates the token and the new one lives 90 days again.
      RefreshToken: REFRESH_TOKEN_TTL_S,
      Grant: GRANT_TTL_S,
      IdToken: ACCESS_TOKEN_TTL_S,
      Interaction: INTERACTION_TTL_S,
      Session: options.sessionTtlSeconds,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    // Signing out of our pages must not disconnect apps.
    expiresWithSession: async () => false,
    // Each approval creates its own grant; an earlier grant (another workspace, perhaps) is never reused. A
    // grant approved by someone other than the account now signed in (they switched between consent and
    // resume) is not theirs: consent is asked again.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      return grant?.accountId === ctx.oidc.account?.accountId ? grant : undefined;
    },
    // Revoking any token of a grant at the revocation endpoint disconnects that grant entirely.
    revokeGrantPolicy: () => true,
    interactions: {
      policy: interactionPolicyWithConsentEveryTime(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    extraTokenClaims: options.extraTokenClaims,
    renderError: options.renderError,
  };
}
