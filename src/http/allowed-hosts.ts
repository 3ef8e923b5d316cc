import type { Request, RequestHandler } from "express";
import { InvalidRequestError } from "../errors/app-error.js";

/** The host name a request is addressed to: the absolute-form target's authority if any (RFC 9112 §3.2.2), else Host. */
function addressedHost(req: Request): string | null {
  const target = req.url.startsWith("/") ? null : URL.parse(req.url);
  if (target) return target.hostname.toLowerCase();
  const host = req.headers.host;
  return host ? (URL.parse(`http://${host}`)?.hostname.toLowerCase() ?? null) : null;
}

/**
 * Refuses a request addressed to a host this server does not serve (`ALLOWED_HOSTS`) with 400: in the
 * OAuth error form on the provider's endpoints (`oauthForm`), in the app's envelope or page elsewhere.
 * URLs never come from the request anyway (they come from ISSUER); this keeps a misrouted or spoofed
 * name from being answered at all. `allowed` null: any host.
 */
export function refuseUnknownHosts(allowed: readonly string[] | null, oauthForm: (req: Request) => boolean): RequestHandler {
  if (allowed === null) return (_req, _res, next) => next();
  const hosts = new Set(allowed);
  return (req, res, next) => {
    const host = addressedHost(req);
    if (host !== null && hosts.has(host)) return next();
    const message = "This server does not answer for that host name.";
    if (oauthForm(req)) {
      res.status(400).set("Cache-Control", "no-store").json({ error: "invalid_request", error_description: message });
      return;
    }
    next(new InvalidRequestError(400, "unknown_host", message));
  };
}
