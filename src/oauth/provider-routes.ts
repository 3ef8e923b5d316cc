import type { RequestHandler } from "express";
import type Provider from "oidc-provider";
import { pinToIssuer } from "./issuer-request.js";

/**
 * The provider's own endpoints: discovery (RFC 8414 and OpenID), authorization and its resume step, pushed
 * authorization requests (RFC 9126, /request), token, revocation, introspection and the JWKS. Everything else
 * stays with our routers, so /v1, /login, /settings, /api, /assets and /health are untouched and no body parser runs in front of the provider.
 */
const PROVIDER_PATHS =
  /^\/(?:\.well-known\/(?:openid-configuration|oauth-authorization-server)|auth(?:\/[^/]+)?|request|token(?:\/(?:revocation|introspection))?|jwks)$/;

/** Whether a path is one of the provider's own endpoints. */
export function isProviderPath(path: string): boolean {
  return PROVIDER_PATHS.test(path);
}

/** Hands the provider's paths to it, as requests to ISSUER (see pinToIssuer), and passes every other request on. */
export function providerRoutes(provider: Provider, issuer: string): RequestHandler {
  const handle = provider.callback();
  const pin = pinToIssuer(issuer);
  return (req, res, next) => {
    if (!isProviderPath(req.path)) return next();
    pin(req);
    void handle(req, res);
  };
}
