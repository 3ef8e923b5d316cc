import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";

/** The headers a helmet middleware sets, and those it removes, when its every value is fixed. */
interface FixedHeaders {
  set: [string, string | number | readonly string[]][];
  removed: string[];
}

/**
 * Runs a helmet middleware once against a recording response to learn the headers it sets. Helmet works out
 * every value when it is configured and then, per request, walks a chain of a dozen middleware functions to
 * set them; replaying the recorded list does the same work in one loop. Only for configurations without
 * per-request values (no function in a CSP directive): those are recorded once and would be wrong.
 */
function recordHeaders(middleware: RequestHandler): FixedHeaders {
  const fixed: FixedHeaders = { set: [], removed: [] };
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      fixed.set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      fixed.removed.push(name);
    },
  };
  let done = false;
  void middleware({} as Request, recorder as unknown as Response, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error("a security-header middleware failed", { cause: err });
    done = true;
  });
  if (!done) throw new Error("security headers: helmet did not finish synchronously");
  return fixed;
}

/** Sets recorded headers on every response. */
function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const { set, removed } = recordHeaders(middleware);
  return (_req, res, next) => {
    for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
    next();
  };
}

/**
 * Helmet's defaults on every response, exactly the headers `helmet()` sets (recorded from it at start-up).
 * Interaction and Settings pages add a stricter policy of their own.
 */
export function securityHeaders(): RequestHandler {
  return fixedHeaders(helmet());
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
  const fixed = Array.isArray(formActions) ? fixedHeaders(policyFor(formActions)) : undefined;
  return (req, res, next) => {
    res.set("Cache-Control", "no-store");
    const policy = fixed ?? policyFor((formActions as (req: Request, res: Response) => string[])(req, res));
    policy(req, res, next);
  };
}
