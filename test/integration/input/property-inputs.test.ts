import fc from "fast-check";
import { startTestServer, type TestServer } from "../../support/app.js";
import { HttpBrowser } from "../../support/connect-flow.js";
import { makeKey } from "../../support/fixtures.js";
import { makeWorld } from "../../support/world.js";

/**
 * Property-based tests: arbitrary JSON values, strings of arbitrary code points (lone surrogates and NUL
 * included), arbitrary query strings and path segments (malformed percent-encoding included), thrown at every
 * /v1 and /api route with valid credentials. Every answer is below 500 and in the documented envelope, and the
 * server still answers afterwards. Seeded: set FC_SEED to replay a run (the seed is printed; a failure also
 * prints fast-check's seed and path).
 */

const SEED = Number(process.env.FC_SEED ?? 20261201);
// About 2,000 requests in all (v1 runs, 70% of that on /api, 30% raw bodies): about 40 s here.
const RUNS = Number(process.env.FC_RUNS ?? 1000);

let t: TestServer;
let key: string;
let admin: HttpBrowser;
let csrf: string;
let known: { subscriber: string; tag: string; apiKey: string; workspace: string };
const statuses = new Map<number, number>();

beforeAll(async () => {
  t = await startTestServer({ RATE_LIMIT_DISABLED: "true", LOG_LEVEL: "warn" });
  const w = await makeWorld(t);
  key = (await makeKey(t.ctx, w.ws.id, "read_write")).key;
  const sacrificial = await makeKey(t.ctx, w.ws.id, "read_only");
  const create = async (path: string, payload: object) => {
    const res = await fetch(`${t.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  };
  known = {
    subscriber: await create("/v1/subscribers", { email: "known@example.test" }),
    tag: await create("/v1/tags", { name: "known" }),
    apiKey: sacrificial.record.id,
    workspace: w.ws.id,
  };

  admin = new HttpBrowser();
  const login = await (await admin.get(`${t.url}/login`)).text();
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(login)![1];
  const signedIn = await admin.postForm(`${t.url}/login`, { _csrf: loginCsrf, email: w.admin.email, password: w.admin.password, return_to: "/settings" });
  expect(signedIn.status).toBe(303);
  csrf = ((await (await admin.get(`${t.url}/api/csrf-token`)).json()) as { token: string }).token;
  console.log(`[figure] fast-check seed ${SEED}, ${RUNS} /v1 runs (FC_SEED / FC_RUNS to change)`);
});

afterAll(async () => {
  console.log(`[figure] statuses seen: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  await t.close();
});

// Any UTF-16 code unit sequence: whole code points, lone surrogates, NUL and the usual suspects.
const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((cp) => (cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp))) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((cu) => String.fromCharCode(cu)) },
  { weight: 2, arbitrary: fc.constantFrom("\u0000", "@", ".", " ", "%", "😀", "\u202e", "\ufeff", "'", '"', "\\", "$", "{") },
  { weight: 4, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789") },
);
const anyString = fc.string({ unit: anyChar, maxLength: 40 });
const anyJson = fc.jsonValue({ stringUnit: anyChar, maxDepth: 3 });
const emailLike = fc.tuple(anyString, anyString).map(([local, domain]) => `${local}@${domain}.test`);

/** An object with a route's own fields (so inputs get past the shape check), each field anything at all. */
function fieldsOf(names: string[], specific: Record<string, fc.Arbitrary<unknown>> = {}) {
  const value = (name: string) => fc.oneof(specific[name] ?? anyString, anyString, anyJson);
  return fc.record(Object.fromEntries(names.map((n) => [n, value(n)])), { requiredKeys: [] });
}

const subscriberBody = fieldsOf(["email", "first_name", "last_name", "tags"], {
  email: emailLike,
  tags: fc.array(anyString, { maxLength: 4 }),
});
const tagBody = fieldsOf(["name"]);
const keyBody = fieldsOf(["workspace_id", "name", "access", "expires_at", "expires_in_days"], {
  workspace_id: fc.constant("__workspace__"),
  access: fc.constantFrom("read_only", "read_write"),
  expires_in_days: fc.integer({ min: -5, max: 5000 }),
});
const body = (shaped: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 2, arbitrary: anyJson });

/**
 * A path segment: safe characters, any character percent-encoded as UTF-8 when possible, or raw bytes (%FF).
 * Never "." or ".." (nor %2E%2E): the client's URL parser resolves dot segments away before sending.
 */
const segment = fc.oneof(
  fc.constantFrom("__subscriber__", "__tag__", "__apikey__", "", "%", "%2F", "%00", "%FF", "%ED%A0%80", "%C3%28", "%E0%A4%A"),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(..."abcXYZ019-_.~"),
        fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`),
        // encodeURIComponent throws on a lone surrogate; its would-be UTF-8 bytes are malformed anyway.
        anyChar.map((c) => (/[\uD800-\uDFFF]/u.test(c) ? "%ED%B0%80" : encodeURIComponent(c))),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(""))
    .map((s) => (/^\.{1,2}$/.test(s.replace(/%2e/gi, ".")) ? `${s}x` : s)),
);
const query = fc.oneof(
  fc.constant(""),
  fc.array(fc.tuple(segment, segment), { maxLength: 3 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
  fc.constantFrom("?limit=0", "?limit=-1", "?limit=1e9", "?cursor=%FF", "?cursor=AAAA", "?workspace=__workspace__", "?status=active", "?q=%00", "?limit[]=1", "?a[b]=c"),
);

interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: (id: string) => string;
  body?: fc.Arbitrary<unknown>;
}

const V1_ROUTES: Route[] = [
  { method: "GET", path: () => "/v1/workspace" },
  { method: "GET", path: () => "/v1/subscribers" },
  { method: "POST", path: () => "/v1/subscribers", body: body(subscriberBody) },
  { method: "GET", path: (id) => `/v1/subscribers/${id}` },
  { method: "PATCH", path: (id) => `/v1/subscribers/${id}`, body: body(subscriberBody) },
  { method: "DELETE", path: (id) => `/v1/subscribers/${id}` },
  { method: "GET", path: () => "/v1/tags" },
  { method: "POST", path: () => "/v1/tags", body: body(tagBody) },
  { method: "DELETE", path: (id) => `/v1/tags/${id}` },
  { method: "GET", path: (id) => `/v1/${id}` },
];

const API_ROUTES: Route[] = [
  { method: "GET", path: () => "/api/csrf-token" },
  { method: "GET", path: () => "/api/workspaces" },
  { method: "GET", path: () => "/api/api-keys" },
  { method: "POST", path: () => "/api/api-keys", body: body(keyBody) },
  { method: "POST", path: (id) => `/api/api-keys/${id}/rotate`, body: body(fc.constant({})) },
  { method: "POST", path: (id) => `/api/api-keys/${id}/revoke`, body: body(fc.constant({})) },
  { method: "GET", path: () => "/api/authorized-apps" },
  { method: "POST", path: (id) => `/api/authorized-apps/${id}/revoke`, body: body(fc.constant({})) },
  { method: "GET", path: () => "/api/activity" },
  { method: "GET", path: (id) => `/api/${id}` },
];

function fill(text: string): string {
  return text
    .replaceAll("__subscriber__", known.subscriber)
    .replaceAll("__tag__", known.tag)
    .replaceAll("__apikey__", known.apiKey)
    .replaceAll("__workspace__", known.workspace);
}

const ERROR_TYPES = ["authentication_error", "permission_error", "invalid_request_error", "rate_limit_error", "api_error"];

/** Sends one request and checks the documented answer: below 500, JSON envelope for errors, `data` (or 204) otherwise. */
async function check(route: Route, id: string, q: string, payload: unknown, sendBody: boolean, area: "v1" | "api"): Promise<void> {
  const headers: Record<string, string> = area === "v1" ? { authorization: `Bearer ${key}` } : { "x-csrf-token": csrf };
  let bodyText: string | undefined;
  if (sendBody && route.method !== "GET" && route.method !== "DELETE") {
    headers["content-type"] = "application/json";
    bodyText = fill(JSON.stringify(payload) ?? "null");
  }
  const url = `${t.url}${route.path(fill(id))}${fill(q)}`;
  const init = { method: route.method, headers, body: bodyText };
  const res = area === "v1" ? await fetch(url, init) : await admin.request(url, init);
  const text = await res.text();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const where = `${route.method} ${url} ${bodyText ?? ""}`;
  if (res.status >= 500) throw new Error(`${res.status} for ${where}: ${text}`);
  if (res.status === 204) {
    if (text !== "") throw new Error(`204 with a body for ${where}`);
    return;
  }
  if (!/^application\/json/.test(res.headers.get("content-type") ?? "")) throw new Error(`not JSON (${res.headers.get("content-type")}) for ${where}`);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (res.status >= 400) {
    const error = parsed.error as Record<string, unknown> | undefined;
    const ok =
      Object.keys(parsed).length === 1 &&
      error !== undefined &&
      ERROR_TYPES.includes(String(error.type)) &&
      typeof error.code === "string" &&
      typeof error.message === "string" &&
      Object.keys(error).length === 3;
    if (!ok) throw new Error(`not the error envelope (${res.status}) for ${where}: ${text}`);
  } else if (!("data" in parsed) && !("token" in parsed)) {
    throw new Error(`no data in a ${res.status} for ${where}: ${text}`);
  }
}

const nameOf = (route: Route) => `${route.method} ${route.path(":id")}`;

/**
 * One request to one of `routes`: the route (by name, so a counterexample prints readably), then a path
 * segment, a query and a body fitting it.
 */
function requests(routes: Route[]) {
  return fc
    .constantFrom(...routes)
    .chain((route) => fc.record({ route: fc.constant(nameOf(route)), id: segment, q: query, payload: route.body ?? anyJson, sendBody: fc.boolean() }));
}

function property(routes: Route[], area: "v1" | "api") {
  const byName = new Map(routes.map((r) => [nameOf(r), r]));
  return fc.asyncProperty(requests(routes), ({ route: name, id, q, payload, sendBody }) => {
    const route = byName.get(name)!;
    return check(route, id, q, payload, sendBody || route.body !== undefined, area);
  });
}

describe("no input reaches a 500 (property-based, seeded)", () => {
  test("when arbitrary JSON, code points, queries and path segments hit every /v1 route with a read_write key, then every answer is < 500 in the envelope", async () => {
    await fc.assert(property(V1_ROUTES, "v1"), { seed: SEED, numRuns: RUNS });
  }, 120_000);

  test("when the same inputs hit every /api route with an admin session and its CSRF token, then every answer is < 500 in the envelope", async () => {
    await fc.assert(property(API_ROUTES, "api"), { seed: SEED, numRuns: Math.ceil(RUNS * 0.7) });
  }, 120_000);

  test("when raw bodies that are not JSON at all are sent as JSON, then every answer is a 4xx envelope", async () => {
    const raw = fc.string({ unit: anyChar, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...[...V1_ROUTES, ...API_ROUTES].filter((r) => r.body).map(nameOf)), raw, async (name, text) => {
        const route = [...V1_ROUTES, ...API_ROUTES].find((r) => nameOf(r) === name)!;
        const area = route.path("x").startsWith("/v1") ? "v1" : "api";
        const headers: Record<string, string> = { "content-type": "application/json", ...(area === "v1" ? { authorization: `Bearer ${key}` } : { "x-csrf-token": csrf }) };
        const url = `${t.url}${route.path(known.subscriber)}`;
        const init = { method: route.method, headers, body: text };
        const res = area === "v1" ? await fetch(url, init) : await admin.request(url, init);
        const answer = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${res.status} for ${route.method} ${url} ${JSON.stringify(text)}: ${answer}`);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS * 0.3) },
    );
  }, 120_000);

  test("when the battery is over, then the server still answers, the key still works and the session is still valid", async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await admin.get(`${t.url}/api/workspaces`)).status).toBe(200);
    expect(t.logs.text).not.toMatch(/unhandled error/);
  });
});
