import type { Request, RequestHandler } from "express";
import { InvalidRequestError } from "../errors/app-error.js";

/** The host name a request is addressed to: the absolute-form target's authority if any (RFC 9112 §3.2.2), else Host. */
function addressedHost(req: Request): string | null {
  const target = req.url.startsWith("/") ? null : URL.parse(req.url);
  if (target) return target.hostname.toLowerCase();
  const host = req.headers.host;
  return host ? (URL.parse(`http://${host}`)?.hostname.toLowerCase() ?? null) : null;
}

/** Whether `host` is `name` or `name:port` with `name` in `names` and a port the URL parser accepts. */
function isCanonicalHost(host: string | undefined, names: ReadonlySet<string>): boolean {
  if (host === undefined) return false;
  const colon = host.lastIndexOf(":");
  if (colon === -1) return names.has(host);
  if (!names.has(host.slice(0, colon))) return false;
  const port = host.slice(colon + 1);
  return port === "" || (port.length <= 5 && /^[0-9]+$/.test(port) && Number(port) <= 65535);
}

const ACCEPTED_HOSTS = 32;

/**
 * Refuses a request addressed to a host this server does not serve (`ALLOWED_HOSTS`) with 400: in the
 * OAuth error form on the provider's endpoints (`oauthForm`), in the app's envelope or page elsewhere.
 * URLs never come from the request anyway (they come from ISSUER); this keeps a misrouted or spoofed
 * name from being answered at all. `allowed` null: any host.
 */
export function refuseUnknownHosts(allowed: readonly string[] | null, oauthForm: (req: Request) => boolean): RequestHandler {
  if (allowed === null) return (_req, _res, next) => next();
  const hosts = new Set(allowed);
  // Names the URL parser gives back unchanged: a Host header that is one of them (with a valid port or none)
  // is what addressedHost would find, without building a URL on every request.
  const canonical = new Set(allowed.filter((name) => URL.parse(`http://${name}`)?.hostname === name));
  // Host headers already accepted, answered with one lookup. Only accepted values are kept, and at most
  // ACCEPTED_HOSTS of them (the header comes from clients): past that, each is checked as it comes.
  const accepted = new Set<string>();
  return (req, res, next) => {
    const header = req.headers.host;
    if (req.url.startsWith("/") && header !== undefined) {
      if (accepted.has(header)) return next();
      if (isCanonicalHost(header, canonical)) {
        if (accepted.size < ACCEPTED_HOSTS) accepted.add(header);
        return next();
      }
    }
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
