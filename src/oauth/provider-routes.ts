import type { RequestHandler } from "express";
import type Provider from "oidc-provider";

/**
 * The provider's own endpoints: discovery (RFC 8414 and OpenID), authorization and its resume step, token,
 * revocation, introspection and the JWKS. Everything else stays with our routers, so /v1, /login,
 * /settings, /api, /assets and /health are untouched and no body parser runs in front of the provider.
 */
const PROVIDER_PATHS =
  /^\/(?:\.well-known\/(?:openid-configuration|oauth-authorization-server)|auth(?:\/[^/]+)?|token(?:\/(?:revocation|introspection))?|jwks)$/;

/** Hands the provider's paths to it and passes every other request on. */
export function providerRoutes(provider: Provider): RequestHandler {
  const handle = provider.callback();
  return (req, res, next) => {
    if (!PROVIDER_PATHS.test(req.path)) return next();
    void handle(req, res);
  };
}
