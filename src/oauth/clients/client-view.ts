import type { OAuthClient } from "../../generated/sqlite/client.js";

export type ClientStatus = "active" | "deleted";

/** How an approved app is shown to operators. Never holds its secret or the secret's digest. */
export interface ClientView {
  client_id: string;
  name: string;
  public: boolean;
  redirect_uris: string[];
  scopes: string[];
  logo_uri: string | null;
  homepage: string | null;
  /** Authorization requests must be pushed first (RFC 9126). */
  require_par: boolean;
  /** Tokens are always DPoP-bound (RFC 9449). */
  require_dpop: boolean;
  status: ClientStatus;
  created_at: string;
  secret_rotated_at: string | null;
  deleted_at: string | null;
}

/** Maps a row to its view. */
export function toClientView(row: OAuthClient): ClientView {
  return {
    client_id: row.id,
    name: row.name,
    public: row.isPublic,
    redirect_uris: JSON.parse(row.redirectUris) as string[],
    scopes: row.scopes.split(" ").filter(Boolean),
    logo_uri: row.logoUri,
    homepage: row.homepage,
    require_par: row.requirePar,
    require_dpop: row.requireDpop,
    status: row.status as ClientStatus,
    created_at: row.createdAt.toISOString(),
    secret_rotated_at: row.secretRotatedAt?.toISOString() ?? null,
    deleted_at: row.deletedAt?.toISOString() ?? null,
  };
}
