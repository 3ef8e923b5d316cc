/** The four /v1 scopes. `read_only` keys get the `:read` ones, `read_write` keys all four. */
export const V1_SCOPES = ["subscribers:read", "subscribers:write", "tags:read", "tags:write"] as const;
export type V1Scope = (typeof V1_SCOPES)[number];

export const READ_SCOPES: V1Scope[] = ["subscribers:read", "tags:read"];


/** The one resource server this authorization server issues access tokens for. */
export function v1Resource(issuer: string): string {
  return `${issuer}/v1`;
}

/**
 * Scopes that are not about /v1 data: `offline_access` asks for a refresh token, `openid` for an ID token.
 * Every client may request them.
 */
export const PROTOCOL_SCOPES = ["openid", "offline_access"] as const;

/** Plain-language description of each scope, as the consent page shows it. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  "subscribers:read": "See your subscribers and their tags",
  "subscribers:write": "Add, change and delete subscribers",
  "tags:read": "See your tags",
  "tags:write": "Create and delete tags",
  offline_access: "Keep this access when you are not using the app, until you disconnect it",
  openid: "Know your account id",
};

/** The /v1 scopes in a space-separated list, in the canonical order, without duplicates or unknown ones. */
export function v1ScopesIn(scope: string | undefined | null): string[] {
  const requested = new Set((scope ?? "").split(" "));
  return V1_SCOPES.filter((s) => requested.has(s));
}
