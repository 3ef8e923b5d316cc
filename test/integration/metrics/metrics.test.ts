import * as oauth from "openid-client";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";
import { familyTypes, parseExposition, valueOf } from "./prometheus.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { withLastCharChanged } from "../../support/tamper.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function scrape(server: TestServer = t, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/metrics`, { headers });
  const text = await res.text();
  return { res, text, samples: res.status === 200 ? parseExposition(text) : [] };
}

async function get(path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${t.url}${path}`, { headers });
  await res.arrayBuffer();
  return res.status;
}

async function liveKey() {
  const user = await makeUser(t.ctx);
  const workspace = await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "owner" }]);
  return (await makeKey(t.ctx, workspace.id)).key;
}

describe("GET /metrics", () => {
  test("when scraped, then it answers the Prometheus text format with every documented family and process metrics", async () => {
    await get("/health");
    const { res, text } = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const types = familyTypes(text);
    expect(Object.fromEntries(types)).toMatchObject({
      workspace_auth_http_requests_total: "counter",
      workspace_auth_http_request_duration_seconds: "histogram",
      workspace_auth_credential_checks_total: "counter",
      workspace_auth_credential_cache_lookups_total: "counter",
      workspace_auth_credential_changes_total: "counter",
      workspace_auth_credential_cache_resets_total: "counter",
      workspace_auth_change_feed_lag_seconds: "histogram",
      workspace_auth_oauth_tokens_issued_total: "counter",
      workspace_auth_oauth_tokens_revoked_total: "counter",
      workspace_auth_rate_limit_syncs_total: "counter",
      process_cpu_seconds_total: "counter",
      process_resident_memory_bytes: "gauge",
      nodejs_eventloop_lag_seconds: "gauge",
    });
  });

  test("when a request is answered, then its route pattern and status series go up by one, with its latency", async () => {
    const before = (await scrape()).samples;
    expect(await get("/health")).toBe(200);
    const after = (await scrape()).samples;
    const labels = { method: "GET", route: "/health", status: "200" };
    expect(valueOf(after, "workspace_auth_http_requests_total", labels) - valueOf(before, "workspace_auth_http_requests_total", labels)).toBe(1);
    expect(
      valueOf(after, "workspace_auth_http_request_duration_seconds_count", labels) -
        valueOf(before, "workspace_auth_http_request_duration_seconds_count", labels),
    ).toBe(1);
  });

  test("when a nested /v1 route fails, then it is labelled with its full pattern, never with the raw URL", async () => {
    const key = await liveKey();
    const id = "sub_does_not_exist_42";
    expect(await get(`/v1/subscribers/${id}`, { authorization: `Bearer ${key}` })).toBe(404);
    const { text, samples } = await scrape();
    expect(valueOf(samples, "workspace_auth_http_requests_total", { method: "GET", route: "/v1/subscribers/:id", status: "404" })).toBe(1);
    expect(text).not.toContain(id);
  });

  test("when a URL matches no route, then it is counted as unmatched and its path stays out of the labels", async () => {
    expect(await get("/no/such/page-7f3a")).toBe(404);
    const { text, samples } = await scrape();
    expect(valueOf(samples, "workspace_auth_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain("page-7f3a");
  });

  test("when keys are checked, then checks count by kind and outcome and the second use of a key is a cache hit", async () => {
    const key = await liveKey();
    const before = (await scrape()).samples;
    expect(await get("/v1/workspace", { authorization: `Bearer ${key}` })).toBe(200);
    expect(await get("/v1/workspace", { authorization: `Bearer ${key}` })).toBe(200);
    expect(await get("/v1/workspace", { authorization: `Bearer ${withLastCharChanged(key)}` })).toBe(401);
    expect(await get("/v1/workspace")).toBe(401);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta("workspace_auth_credential_checks_total", { kind: "api_key", outcome: "ok" })).toBe(2);
    expect(delta("workspace_auth_credential_checks_total", { kind: "api_key", outcome: "invalid_api_key" })).toBe(1);
    expect(delta("workspace_auth_credential_checks_total", { kind: "none", outcome: "missing_credentials" })).toBe(1);
    // The first check loads the key from the database, the second finds it in memory.
    expect(delta("workspace_auth_credential_cache_lookups_total", { kind: "api_key", result: "miss" })).toBe(1);
    expect(delta("workspace_auth_credential_cache_lookups_total", { kind: "api_key", result: "hit" })).toBe(1);
  });

  test("when an app connects, refreshes and revokes, then tokens issued and revoked are counted by type", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const before = (await scrape()).samples;
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    await oauth.tokenRevocation(config, tokens.access_token);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta("workspace_auth_oauth_tokens_issued_total", { type: "authorization_code" })).toBe(1);
    expect(delta("workspace_auth_oauth_tokens_issued_total", { type: "access_token" })).toBe(2);
    expect(delta("workspace_auth_oauth_tokens_issued_total", { type: "refresh_token" })).toBe(2);
    expect(
      delta("workspace_auth_oauth_tokens_revoked_total", { type: "access_token" }) +
        delta("workspace_auth_oauth_tokens_revoked_total", { type: "grant" }),
    ).toBeGreaterThanOrEqual(1);
  });

  test("when an access token is used twice on /v1, then the first check misses the cache and the second hits it", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials });
    const before = (await scrape()).samples;
    expect(await get("/v1/workspace", { authorization: `Bearer ${tokens.access_token}` })).toBe(200);
    expect(await get("/v1/workspace", { authorization: `Bearer ${tokens.access_token}` })).toBe(200);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta("workspace_auth_credential_checks_total", { kind: "oauth", outcome: "ok" })).toBe(2);
    expect(delta("workspace_auth_credential_cache_lookups_total", { kind: "oauth", result: "miss" })).toBe(1);
    expect(delta("workspace_auth_credential_cache_lookups_total", { kind: "oauth", result: "hit" })).toBe(1);
  });

  test("when a key is revoked on this node, then the change is counted as local and the key fails", async () => {
    const user = await makeUser(t.ctx);
    const workspace = await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "owner" }]);
    const { key, record } = await makeKey(t.ctx, workspace.id);
    const labels = { kind: "api_key", source: "local" };
    const before = valueOf((await scrape()).samples, "workspace_auth_credential_changes_total", labels);
    await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    expect(valueOf((await scrape()).samples, "workspace_auth_credential_changes_total", labels) - before).toBe(1);
    expect(await get("/v1/workspace", { authorization: `Bearer ${key}` })).toBe(401);
  });
});

describe("GET /metrics with METRICS_TOKEN", () => {
  const token = "metrics-token-0123456789abcdef";
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ METRICS_TOKEN: token });
  });
  afterAll(() => guarded.close());

  test("when the scraper sends the token as a Bearer credential, then it gets the metrics", async () => {
    const { res, samples } = await scrape(guarded, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(samples.length).toBeGreaterThan(0);
  });

  test("when the token is missing or wrong, then 401 and no metric leaves the server", async () => {
    const missing = await scrape(guarded);
    expect(missing.res.status).toBe(401);
    expect(missing.text).not.toContain("workspace_auth_");
    const wrong = await scrape(guarded, { authorization: `Bearer ${token}x` });
    expect(wrong.res.status).toBe(401);
    expect(wrong.text).not.toContain("workspace_auth_");
  });
});
