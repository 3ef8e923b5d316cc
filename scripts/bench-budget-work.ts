/**
 * Loaded into our server by `BENCH_ONLY=budget npm run bench` (as `node --import tsx --import
 * ./scripts/bench-budget-work.ts dist/main.js`), never by the application: before the app sees a `/health?…`
 * request, it does one known piece of work named by the query string, so the bench can read what that work costs
 * per request under load, with everything else (logging, metrics, headers, the socket) exactly as users run it.
 *
 * - `?spin=N`: N µs of busy CPU (calibration: what one µs of added work costs at saturation)
 * - `?headers`: the four `RateLimit-*` headers every /v1 answer carries, with the values the limiter writes
 * - `?digest`: the SHA-256 of a key, which every key check computes before it can look the key up
 * - `?floor`: the least any /v1 answer must do under the performance issue's own rules, with our real code: the
 *   credential resolver checks the request's `Authorization: Bearer` key (parse, digest, cache hit, last-use
 *   bookkeeping, the check's metrics), then the per-credential limiter counts it on the shared counters and writes
 *   its four headers. Both run on a context of their own over the bench's database (its change feed and counter
 *   synchronisation running, as a server's do); the /v1 guards, router, route, view and log fields are left out.
 * - `?control`: nothing (a query string of the same shape, so that the others are compared like with like)
 */
import http from "node:http";
import { digestKey, generateKey } from "../src/api-keys/key-format.js";
import { loadConfig } from "../src/config.js";
import { buildContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { v1CredentialLimit } from "../src/resources/v1-router.js";

/** A key of the exact shape we issue, so the digest runs over as many bytes as a real check's. */
const SAMPLE_KEY = generateKey();
let requests = 0;
let sink = "";

// The floor's own context: the server's environment, so the same database, limits and feed interval.
const ctx = await buildContext(loadConfig(process.env), { logger: createLogger("warn") });
await ctx.feed.start();
ctx.rateLimits.start();
// The very limiter /v1 mounts, so the floor follows any change to its window, store or settings.
const limit = v1CredentialLimit(ctx);
const done = () => {};

function floor(req: http.IncomingMessage, res: http.ServerResponse): void {
  // The request is the caller, as /v1's authenticate passes it (its address is read only for a last-use write).
  const resolved = ctx.resolver.resolve(req.headers.authorization, req);
  // Only the first request reads the key from the database; every later one is a cache hit, answered at once.
  if (resolved instanceof Promise) return void resolved.catch(done);
  // The limiter reads only the principal. Not set on the request itself: added this early, before Express's own
  // properties, it would give these requests hidden classes no other request has (see http/message-classes.ts).
  limit({ principal: resolved } as never, res as never, done);
}

function work(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? "";
  const query = url.slice(url.indexOf("?") + 1);
  if (query.startsWith("spin=")) {
    const until = process.hrtime.bigint() + BigInt(Number(query.slice(5)) * 1000);
    while (process.hrtime.bigint() < until);
  } else if (query === "headers") {
    requests++;
    res.setHeader("RateLimit-Policy", "100000000;w=60");
    res.setHeader("RateLimit-Limit", "100000000");
    res.setHeader("RateLimit-Remaining", String(100_000_000 - requests));
    res.setHeader("RateLimit-Reset", String(60 - (requests % 60)));
  } else if (query === "floor") {
    floor(req, res);
  } else if (query === "digest") {
    // Kept in a variable the process can see, so the call cannot be optimised away.
    sink = digestKey(SAMPLE_KEY);
  }
}

// Wrapping `emit` is the one place that sees every request before the app's listener does, without changing the app.
type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
const emit = http.Server.prototype.emit as Emit;
const withWork: Emit = function (event, ...args) {
  if (event === "request") {
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    if (req.url?.startsWith("/health?")) work(req, res);
  }
  return emit.call(this, event, ...args);
};
http.Server.prototype.emit = withWork as typeof http.Server.prototype.emit;

/** Exported so that the digests are observable, which keeps V8 from dropping the call as dead code. */
export const lastDigest = () => sink;
