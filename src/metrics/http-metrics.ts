import http, { type ServerResponse } from "node:http";
import type { Request, RequestHandler } from "express";
import { LabelSets } from "./label-sets.js";
import type { Metrics } from "./metrics.js";

/** An Express route path as text: a string as it is, a list joined by commas, a pattern as /source/. */
function routePath(path: unknown): string {
  if (typeof path === "string") return path;
  if (Array.isArray(path)) return path.map(routePath).join(",");
  return path instanceof RegExp ? path.toString() : "";
}

/** The provider's endpoints (served outside Express routing), by their fixed paths; `/auth/<uid>` resumes a flow. */
const PROVIDER_ROUTES = new Map<RegExp, string>([
  [/^\/\.well-known\/(openid-configuration|oauth-authorization-server)$/, "/.well-known/$1"],
  [/^\/auth$/, "/auth"],
  [/^\/auth\/[^/]+$/, "/auth/:uid"],
  [/^\/token(\/(revocation|introspection))?$/, "/token$1"],
  [/^\/jwks$/, "/jwks"],
]);

const ROUTE = Symbol("matchedRoute");
const ROUTE_VALUE = Symbol("route");
const STARTED = Symbol("metricsStarted");

interface RoutedRequest extends Request {
  [ROUTE]?: string;
  [ROUTE_VALUE]?: unknown;
}

interface TimedResponse extends ServerResponse<RoutedRequest> {
  [STARTED]?: number;
  [RECORD]?: (res: TimedResponse) => void;
}

const RECORD = Symbol("recordMetrics");

/**
 * Remembers the matched route's full pattern at the moment Express matches it. Express keeps `req.route`
 * after the request leaves the router but restores `req.baseUrl`, so an error rendered by the app-level
 * handler would otherwise be labelled with a bare inner pattern (`/:id` instead of `/v1/subscribers/:id`).
 * Our routers are mounted on fixed paths, so the base URL at match time is the mount pattern.
 * An accessor on the request prototype, defined once, so a request pays no property definition of its own.
 */
Object.defineProperty(http.IncomingMessage.prototype, "route", {
  configurable: true,
  enumerable: true,
  get(this: RoutedRequest) {
    return this[ROUTE_VALUE];
  },
  set(this: RoutedRequest, value: { path?: unknown } | undefined) {
    this[ROUTE_VALUE] = value;
    if (value?.path !== undefined) this[ROUTE] = `${this.baseUrl}${routePath(value.path)}`;
  },
});

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

// Shared listener (`this` is the response): a request allocates no closure for its metrics.
// (`on` and `removeListener` rather than `once`, which wraps the listener in a new closure per call.)
function onFinish(this: TimedResponse): void {
  this.removeListener("finish", onFinish);
  this[RECORD]?.(this);
}

/**
 * Counts every request and times it, by method, route pattern and status, when its response finishes.
 * The label objects are made once per (method, route, status) and reused; the routes are patterns, so the
 * set stays bounded (Node's parser accepts only its fixed list of methods).
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  const labelSets = new LabelSets(["method", "route", "status"] as const);
  const record = (res: TimedResponse): void => {
    const req = res.req;
    const labels = labelSets.of(req.method, routeLabel(req), res.statusCode);
    metrics.httpRequests.count(labels);
    metrics.httpDuration.observe(labels, (performance.now() - (res[STARTED] ?? 0)) / 1000);
  };
  return (_req, response, next) => {
    const res = response as unknown as TimedResponse;
    res[STARTED] = performance.now();
    res[RECORD] = record;
    res.on("finish", onFinish);
    next();
  };
}
