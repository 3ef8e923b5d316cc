import type { Request, RequestHandler } from "express";
import type { Metrics } from "./metrics.js";

/** The provider's endpoints (served outside Express routing), by their fixed paths; `/auth/<uid>` resumes a flow. */
const PROVIDER_ROUTES = new Map<RegExp, string>([
  [/^\/\.well-known\/(openid-configuration|oauth-authorization-server)$/, "/.well-known/$1"],
  [/^\/auth$/, "/auth"],
  [/^\/auth\/[^/]+$/, "/auth/:uid"],
  [/^\/token(\/(revocation|introspection))?$/, "/token$1"],
  [/^\/jwks$/, "/jwks"],
]);

const ROUTE = Symbol("matchedRoute");

interface RoutedRequest extends Request {
  [ROUTE]?: string;
}

/**
 * Remembers the matched route's full pattern at the moment Express matches it. Express keeps `req.route`
 * after the request leaves the router but restores `req.baseUrl`, so an error rendered by the app-level
 * handler would otherwise be labelled with a bare inner pattern (`/:id` instead of `/v1/subscribers/:id`).
 * Our routers are mounted on fixed paths, so the base URL at match time is the mount pattern.
 */
function captureRoutePattern(req: RoutedRequest): void {
  let route: unknown;
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value?.path !== undefined) req[ROUTE] = `${req.baseUrl}${String(value.path)}`;
    },
  });
}

/** The label for a finished request: a route pattern, a provider endpoint, or a fixed name; never the raw URL. */
export function routeLabel(req: Request): string {
  const matched = (req as RoutedRequest)[ROUTE];
  if (matched) return matched;
  const path = req.originalUrl.split("?")[0];
  for (const [pattern, label] of PROVIDER_ROUTES) {
    if (pattern.test(path)) return path.replace(pattern, label);
  }
  if (path.startsWith("/assets/")) return "/assets/*";
  return "unmatched";
}

/** Counts every request and times it, by method, route pattern and status, when its response finishes. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    captureRoutePattern(req);
    res.once("finish", () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
