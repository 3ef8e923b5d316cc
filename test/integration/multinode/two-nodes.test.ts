import * as oauth from "openid-client";
import pg from "pg";
import { loadConfig } from "../../../src/config.js";
import { type AppContext, buildContext } from "../../../src/context.js";
import { createLogger } from "../../../src/logger.js";
import { authorizationRequest, authorize, discover, HttpBrowser } from "../../support/connect-flow.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase } from "../../support/database.js";
import { makeKey } from "../../support/fixtures.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";
import { type AdminSession, msUntilStatus, signInAdmin, v1Status } from "./admin-session.js";
import { type LoadBalancer, startLoadBalancer } from "./load-balancer.js";
import { type NodeProcess, startNode } from "../../support/node-process.js";
import { setTimeout as sleep } from "node:timers/promises";

const adminUrl = postgresAdminUrl();
const onPostgres = adminUrl ? describe : describe.skip;

const RATE_LIMIT = 200;
const SYNC_MS = 500;

onPostgres("two server processes behind a load balancer on one PostgreSQL (runs only with TEST_DATABASE_URL)", () => {
  let database: TestDatabase;
  let balancer: LoadBalancer;
  let a: NodeProcess;
  let b: NodeProcess;
  /** The test's own connection to the database, as the CLI or a fixture script would have. */
  let admin: AppContext;
  let owner: Awaited<ReturnType<typeof makeOwner>>;
  let session: AdminSession;

  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl!);
    balancer = await startLoadBalancer("http://127.0.0.1:9");
    // One public ISSUER for both nodes: the balancer's URL, as behind a real load balancer.
    const env = {
      DATABASE_URL: database.url,
      ISSUER: balancer.url,
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      RATE_LIMIT_SYNC_INTERVAL_MS: String(SYNC_MS),
      AUTH_FAILURES_PER_MINUTE: "1000",
    };
    // Started together on an empty database: their migrations race and must not collide.
    [a, b] = await Promise.all([startNode("A", env), startNode("B", env)]);
    admin = await buildContext(loadConfig({ NODE_ENV: "test", DATABASE_URL: database.url, ISSUER: balancer.url }), {
      logger: createLogger("silent"),
    });
    owner = await makeOwner(admin);
    session = await signInAdmin(a.url, owner.credentials);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await admin?.close();
    await balancer?.close();
    await database?.drop();
  });

  test("when both nodes started together on an empty database, then both are ready", async () => {
    for (const node of [a, b]) expect((await fetch(`${node.url}/ready`)).status).toBe(200);
  });

  test("when a key is revoked through A, then B refuses it within 1 s", async () => {
    const { key, record } = await makeKey(admin, owner.workspace.id);
    expect(await v1Status(b.url, key)).toBe(200);
    const started = performance.now();
    expect((await session.post(`/api/api-keys/${record.id}/revoke`)).status).toBe(200);
    expect(await v1Status(a.url, key)).toBe(401);
    expect(await msUntilStatus(b.url, key, 401, started)).toBeLessThan(1000);
  });

  test("when a key is rotated through A, then B refuses the old secret within 1 s and accepts the new one", async () => {
    const { key, record } = await makeKey(admin, owner.workspace.id);
    expect(await v1Status(b.url, key)).toBe(200);
    const started = performance.now();
    const rotated = await session.post(`/api/api-keys/${record.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(await msUntilStatus(b.url, key, 401, started)).toBeLessThan(1000);
    const newKey = (rotated.body as { data: { key: string } }).data.key;
    expect(await v1Status(b.url, newKey)).toBe(200);
  });

  test("when an authorized app is revoked through A, then B refuses its access token within 1 s", async () => {
    balancer.target = a.url;
    const client = await makeClient(admin);
    const config = await discover(balancer.url, client);
    const started0 = await authorizationRequest(config, client);
    const outcome = await authorize(new HttpBrowser(), started0.url, client.redirectUri, { user: owner.credentials, decision: "allow" });
    if (outcome.kind !== "callback") throw new Error(`the flow stopped at ${outcome.url}`);
    const tokens = await oauth.authorizationCodeGrant(config, outcome.url, { pkceCodeVerifier: started0.codeVerifier, expectedState: started0.state });
    expect(await v1Status(b.url, tokens.access_token)).toBe(200);

    const record = await admin.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id, status: "active" } });
    const started = performance.now();
    expect((await session.post(`/api/authorized-apps/${record.id}/revoke`)).status).toBe(200);
    expect(await msUntilStatus(b.url, tokens.access_token, 401, started)).toBeLessThan(1000);
  });

  test("when an OAuth flow starts on A (sign-in, consent page) and finishes on B, then the token A issues works on B", async () => {
    const client = await makeClient(admin);
    const browser = new HttpBrowser();
    balancer.target = a.url;
    const config = await discover(balancer.url, client);
    const request = await authorizationRequest(config, client);
    const consent = await authorize(browser, request.url, client.redirectUri, { user: owner.credentials });
    if (consent.kind !== "page" || !consent.html.includes('name="decision"')) throw new Error("expected the consent page on A");
    const servedByA = balancer.served.get(a.url) ?? 0;

    // The person answers the consent page A rendered; the balancer now sends everything to B.
    balancer.target = b.url;
    const outcome = await authorize(browser, consent.url, client.redirectUri, { decision: "allow" });
    if (outcome.kind !== "callback") throw new Error(`the flow stopped on B at ${outcome.url} (${outcome.status})`);
    expect(balancer.served.get(b.url)).toBeGreaterThan(0);
    expect(balancer.served.get(a.url)).toBe(servedByA);

    balancer.target = a.url;
    const tokens = await oauth.authorizationCodeGrant(config, outcome.url, { pkceCodeVerifier: request.codeVerifier, expectedState: request.state });
    expect(await v1Status(b.url, tokens.access_token)).toBe(200);

    // And the other way round: B refreshes a refresh token A issued; A accepts what B issued.
    balancer.target = b.url;
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await v1Status(a.url, refreshed.access_token)).toBe(200);
  });

  test("when one key's requests are spread over both nodes, then its budget is counted across them within the bound", async () => {
    const { key } = await makeKey(admin, owner.workspace.id);
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await sleep(left + 50);
    const admitted: { node: string; at: number }[] = [];
    const hammer = async (node: NodeProcess) => {
      for (let i = 0; i < 75; i++) {
        const status = await v1Status(node.url, key);
        if (status === 200) admitted.push({ node: node.name, at: performance.now() });
        else expect(status).toBe(429);
      }
    };
    await Promise.all([hammer(a), hammer(a), hammer(b), hammer(b)]);
    // The README's bound: the limit plus what the other node admitted in three sync intervals and a round trip.
    const span = 3 * SYNC_MS + 250;
    const invisible = Math.max(
      ...admitted.map((x) => admitted.filter((y) => y.node !== x.node && y.at <= x.at && y.at > x.at - span).length),
    );
    expect(admitted.length).toBeGreaterThanOrEqual(RATE_LIMIT);
    expect(admitted.length).toBeLessThanOrEqual(RATE_LIMIT + invisible);
    // Once synchronised, both nodes refuse the key.
    await sleep(3 * SYNC_MS);
    expect(await v1Status(a.url, key)).toBe(429);
    expect(await v1Status(b.url, key)).toBe(429);
  });

  test("when B's database connections are cut for a while, then B recovers, drops what it cached, and hears revocations again", async () => {
    const stale = await makeKey(admin, owner.workspace.id);
    const live = await makeKey(admin, owner.workspace.id);
    expect(await v1Status(b.url, stale.key)).toBe(200);
    expect(await v1Status(b.url, live.key)).toBe(200);

    const server = new pg.Client({ connectionString: adminUrl });
    await server.connect();
    const dbName = new URL(database.url).pathname.slice(1);
    try {
      // A change B cannot hear about: no change-log entry. B keeps trusting its cache while nothing fails.
      await admin.db.apiKey.update({ where: { id: stale.record.id }, data: { status: "revoked" } });
      await sleep(500);
      expect(await v1Status(b.url, stale.key)).toBe(200);

      // The outage: every connection to the database is terminated and new ones are refused for a while.
      await server.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
      await server.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
      await sleep(1500);
      await server.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);

      // Back: B refreshes its cache rather than trusting it.
      expect(await msUntilStatus(b.url, stale.key, 401, performance.now(), 15_000)).toBeLessThan(15_000);
      expect(await v1Status(b.url, live.key)).toBe(200);
      expect((await fetch(`${b.url}/ready`)).status).toBe(200);
      expect(b.logs.join("\n")).toMatch(/clearing caches/);

      // And it hears the next revocation made through A within a second again.
      const started = performance.now();
      expect((await session.post(`/api/api-keys/${live.record.id}/revoke`)).status).toBe(200);
      expect(await msUntilStatus(b.url, live.key, 401, started)).toBeLessThan(1000);
    } finally {
      await server.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await server.end();
    }
  });
});
