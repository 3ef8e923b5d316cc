/**
 * Loaded into our server by `BENCH_ONLY=budget npm run bench` (as `node --import tsx --import
 * ./scripts/bench-budget-work.ts dist/main.js`), never by the application: before the app sees a `/health?…`
 * request, it does one known piece of work named by the query string, so the bench can read what that work costs
 * per request under load, with everything else (logging, metrics, headers, the socket) exactly as users run it.
 *
 * - `?spin=N`: N µs of busy CPU (calibration: what one µs of added work costs at saturation)
 * - `?headers`: the four `RateLimit-*` headers every /v1 answer carries, with the values the limiter writes
 * - `?digest`: the SHA-256 of a key, which every key check computes before it can look the key up
 * - `?control`: nothing (a query string of the same shape, so that the others are compared like with like)
 */
import http from "node:http";
import { digestKey, generateKey } from "../src/api-keys/key-format.js";

/** A key of the exact shape we issue, so the digest runs over as many bytes as a real check's. */
const SAMPLE_KEY = generateKey();
let requests = 0;
let sink = "";

function work(url: string, res: http.ServerResponse): void {
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
    if (req.url?.startsWith("/health?")) work(req.url, res);
  }
  return emit.call(this, event, ...args);
};
http.Server.prototype.emit = withWork as typeof http.Server.prototype.emit;

/** Exported so that the digests are observable, which keeps V8 from dropping the call as dead code. */
export const lastDigest = () => sink;
