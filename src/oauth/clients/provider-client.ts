import type { ClientMetadata } from "oidc-provider";
import type { Db } from "../../db/client.js";
import { PROTOCOL_SCOPES } from "../../scopes/scopes.js";
import { isLoopbackHttp, isLoopbackHttps } from "./redirect-uris.js";

/**
 * A public app returning to a loopback address is a native app (RFC 8252 §7.3): the operating system picks
 * its port at run time, so the provider must accept any port there, which it does for `native` clients
 * only. The library refuses https on a loopback host for native clients, so such a list stays `web`.
 */
function applicationType(isPublic: boolean, redirectUris: string[]): "web" | "native" {
  return isPublic && redirectUris.some(isLoopbackHttp) && !redirectUris.some(isLoopbackHttps) ? "native" : "web";
}

/**
 * The metadata oidc-provider sees for an active client. A confidential client's `client_secret` is the
 * stored digest, never the secret: the provider's secret comparison is replaced to hash what the app
 * presents (see create-provider.ts). Its /v1 scopes travel as `v1_scope`, read by getResourceServerInfo.
 */
export async function findProviderClient(db: Db, clientId: string): Promise<ClientMetadata | undefined> {
  const row = await db.oAuthClient.findFirst({ where: { id: clientId, status: "active" } });
  if (!row) return undefined;
  const redirectUris = JSON.parse(row.redirectUris) as string[];
  return {
    client_id: row.id,
    client_name: row.name,
    application_type: applicationType(row.isPublic, redirectUris),
    redirect_uris: redirectUris,
    response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token"],
    scope: PROTOCOL_SCOPES.join(" "),
    v1_scope: row.scopes,
    ...(row.isPublic || !row.secretDigest
      ? { token_endpoint_auth_method: "none" }
      : { token_endpoint_auth_method: "client_secret_basic", client_secret: row.secretDigest }),
  };
}
