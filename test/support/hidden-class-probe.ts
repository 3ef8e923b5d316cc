/**
 * Run as `node --allow-natives-syntax --import tsx test/support/hidden-class-probe.ts`: serves two concurrent
 * requests through createHttpServer (or, with PROBE_PLAIN=1, Node's plain `http.createServer(app)`), holds both at
 * the same point of an Express app, after Express and a middleware have added their properties, and prints whether
 * the two requests (and the two responses) share one V8 hidden class there, as JSON on stdout.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createHttpServer } from "../../src/http/http-server.js";
import { parseQueryOnce } from "../../src/http/query-once.js";

// V8's own test of whether two objects have the same hidden class (map); needs --allow-natives-syntax.
const haveSameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;

const app = express();
parseQueryOnce(app);
const held: { req: express.Request; res: express.Response; next: () => void }[] = [];
app.use((req, res, next) => {
  // What middleware does on every request: read the query, add its own properties to req and res.
  void req.query;
  Object.assign(req, { requestId: "r", startedAt: 1 });
  Object.assign(res, { recorded: false });
  res.locals.seen = true;
  held.push({ req, res, next });
  if (held.length < 2) return;
  const [a, b] = held;
  process.stdout.write(`${JSON.stringify({ request: haveSameMap(a.req, b.req), response: haveSameMap(a.res, b.res) })}\n`);
  for (const each of held) each.next();
});
app.get("/probe", (_req, res) => {
  res.json({ ok: true });
});

const server = process.env.PROBE_PLAIN === "1" ? http.createServer(app) : createHttpServer(app, { keepAliveTimeoutMs: 5_000 });
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  const get = (query: string) => fetch(`http://127.0.0.1:${port}/probe?${query}`).then((res) => res.text());
  void Promise.all([get("a=1"), get("b=2")]).finally(() => server.close());
});
