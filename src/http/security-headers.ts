import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";

/** Helmet's defaults on every response. Interaction and Settings pages add a stricter policy of their own. */
export function securityHeaders(): RequestHandler {
  return helmet();
}

/** Extra origins a page's forms may post or redirect to, fixed or worked out per request. */
export type FormActions = string[] | ((req: Request, res: Response) => string[]);

/**
 * Headers for pages where people sign in or approve access: never framed, never cached, never leaking
 * the URL (which may hold `state` or an interaction id) through Referer. `formActions` lists the extra
 * origins a form may post or redirect to: an OAuth interaction passes the app's validated redirect URI
 * origin, because browsers apply form-action to the redirects that follow a form submission too.
 */
export function pageHeaders(formActions: FormActions = []): RequestHandler {
  const policyFor = (origins: string[]) =>
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "img-src": ["'self'", "https:", "data:"],
          "style-src": ["'self'"],
          "script-src": ["'self'"],
          "form-action": ["'self'", ...origins],
          "frame-ancestors": ["'none'"],
          "base-uri": ["'none'"],
          "object-src": ["'none'"],
        },
      },
      frameguard: { action: "deny" },
      referrerPolicy: { policy: "no-referrer" },
    });
  const fixed = Array.isArray(formActions) ? policyFor(formActions) : undefined;
  return (req, res, next) => {
    res.set("Cache-Control", "no-store");
    const policy = fixed ?? policyFor((formActions as (req: Request, res: Response) => string[])(req, res));
    policy(req, res, next);
  };
}
