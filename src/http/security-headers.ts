import type { RequestHandler } from "express";
import helmet from "helmet";

/** Helmet's defaults on every response. Interaction and Settings pages add a stricter policy of their own. */
export function securityHeaders(): RequestHandler {
  return helmet();
}

/**
 * Headers for pages where people sign in or approve access: never framed, never cached, never leaking
 * the URL (which may hold `state` or an interaction id) through Referer.
 * `formActions` lists the extra origins a form may post or redirect to (the app's validated redirect URI).
 */
export function pageHeaders(formActions: string[] = []): RequestHandler {
  const policy = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'", ...formActions],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
  });
  return (req, res, next) => {
    res.set("Cache-Control", "no-store");
    policy(req, res, next);
  };
}
