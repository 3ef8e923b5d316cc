import type { ClientMetadata } from "oidc-provider";
import type { Db } from "../../db/client.js";
import { PROTOCOL_SCOPES } from "../scopes.js";

/**
 * The metadata oidc-provider sees for an active client. A confidential client's `client_secret` is the
 * stored digest, never the secret: the provider's secret comparison is replaced to hash what the app
 * presents (see create-provider.ts). Its /v1 scopes travel as `v1_scope`, read by getResourceServerInfo.
 */
export async function findProviderClient(db: Db, clientId: string): Promise<ClientMetadata | undefined> {
  const row = await db.oAuthClient.findFirst({ where: { id: clientId, status: "active" } });
  if (!row) return undefined;
  return {
    client_id: row.id,
    client_name: row.name,
    application_type: "web",
    redirect_uris: JSON.parse(row.redirectUris) as string[],
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token"],
    scope: PROTOCOL_SCOPES.join(" "),
    v1_scope: row.scopes,
    ...(row.isPublic || !row.secretDigest
      ? { token_endpoint_auth_method: "none" }
      : { token_endpoint_auth_method: "client_secret_basic", client_secret: row.secretDigest }),
  };
}
