import { type ErrorRequestHandler, Router } from "express";
import { z } from "zod";
import { V1_SCOPES, v1Resource } from "../scopes/scopes.js";
import { AuthenticationError } from "../errors/app-error.js";
import { DPOP_ALGORITHMS } from "../dpop/dpop-proof.js";

/** RFC 9728 §3: the metadata of resource `$ISSUER/v1` lives at the well-known path with the resource's path appended. */
export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource/v1";

/** The URL a /v1 401 names in `resource_metadata`. */
export function protectedResourceMetadataUrl(issuer: string): string {
  return `${issuer}${PROTECTED_RESOURCE_PATH}`;
}

/** RFC 9728 §2 protected-resource metadata; the route emits through this schema and the OpenAPI document uses it. */
export const protectedResourceMetadataSchema = z
  .object({
    resource: z.url(),
    authorization_servers: z.array(z.url()),
    scopes_supported: z.array(z.string()),
    bearer_methods_supported: z.array(z.enum(["header", "body", "query"])),
    dpop_signing_alg_values_supported: z.array(z.string()).describe("JWS algorithms a DPoP proof on /v1 may use (RFC 9449)."),
    resource_name: z.string(),
    resource_documentation: z.url(),
  })
  .meta({ id: "ProtectedResourceMetadata" });

/** The metadata of the /v1 resource: tokens come from this issuer and travel only in the Authorization header. */
export function protectedResourceMetadata(issuer: string): z.output<typeof protectedResourceMetadataSchema> {
  return protectedResourceMetadataSchema.parse({
    resource: v1Resource(issuer),
    authorization_servers: [issuer],
    scopes_supported: [...V1_SCOPES],
    bearer_methods_supported: ["header"],
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    resource_name: "workspace-auth /v1",
    resource_documentation: `${issuer}/docs`,
  });
}

/** GET /.well-known/oauth-protected-resource/v1: public, cacheable, and readable by browser-based clients (CORS). */
export function protectedResourceRouter(issuer: string): Router {
  const router = Router();
  const body = protectedResourceMetadata(issuer);
  router.get(PROTECTED_RESOURCE_PATH, (_req, res) => {
    res.set({ "Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*" }).json(body);
  });
  return router;
}

/** On /v1, every 401 challenge names the metadata URL, so a client can find the authorization server from it. */
export function pointToResourceMetadata(issuer: string): ErrorRequestHandler {
  const url = protectedResourceMetadataUrl(issuer);
  return (err, _req, _res, next) => {
    next(err instanceof AuthenticationError ? err.withResourceMetadata(url) : err);
  };
}
