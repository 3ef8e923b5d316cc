/**
 * `npm run bench:databases`: the cost of a key check, a token check and a refresh grant on SQLite and on
 * PostgreSQL, side by side, in one run. Each database gets the whole application behind an in-process server
 * on 127.0.0.1; the rounds alternate between the two databases so that drift in machine load hits both alike.
 *
 *   key check      median µs of a cache-miss check (a fresh ApiKeyVerifier per round, each key verified once:
 *                  one indexed lookup) and of a cached check
 *   token check    the same for opaque OAuth access tokens (a fresh AccessTokenVerifier per round) obtained
 *                  through the real connect flow
 *   refresh grant  POST /token grant_type=refresh_token in sequential chains (each refresh presents the token
 *                  the previous one returned), a few chains at once: median latency and refreshes per second
 *
 * PostgreSQL: a fresh database is created from the admin URL in BENCH_POSTGRES_URL or TEST_DATABASE_URL
 * (`source scripts/ci-postgres.sh && ci_postgres_start` provides one) and dropped at the end; without either,
 * only SQLite runs. Settings: BENCH_ROUNDS (3), BENCH_SECONDS of refreshing per round (5), BENCH_CHAINS (4).
 * Absolute numbers mean little on a shared machine; the ratios PostgreSQL/SQLite are what we track.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI } from "../src/audit/audit-log.js";
import { digestKey, displayPrefix, generateKey } from "../src/api-keys/key-format.js";
import { ApiKeyVerifier } from "../src/credentials/api-key-verifier.js";
import type { CredentialVerifier } from "../src/credentials/principal.js";
import { AccessTokenVerifier } from "../src/credentials/access-token-verifier.js";
import { createClient } from "../src/oauth/clients/create-client.js";
import { hashPassword } from "../src/users/passwords.js";
import { startTestServer, type TestServer } from "../test/support/app.js";
import { connect } from "../test/support/connect-flow.js";
import { createPostgresDatabase, type TestDatabase } from "../test/support/database.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CHAINS = Number(process.env.BENCH_CHAINS ?? 4);
const KEYS = 300;
const TOKENS = 20;
/** Cached checks cost about a microsecond: more passes give the median enough samples. */
const CACHED_PASSES = 10;
/** Lets the fire-and-forget last-used write of the previous check finish, so each figure is the check itself. */
const SETTLE_MS = 3;
const REDIRECT_URI = "http://127.0.0.1:9/callback";
const PASSWORD = "bench databases password";
const TOKEN_SCOPE = "subscribers:read tags:read";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  keyMiss: number;
  keyCached: number;
  tokenMiss: number;
  tokenCached: number;
  refreshMs: number;
  refreshPerSecond: number;
}

/** One database with the application running on it and what the measurements need. */
interface Target {
  name: string;
  server: TestServer;
  keys: string[];
  accessTokens: string[];
  /** The refresh token each chain presents next. */
  chains: string[];
  client: { id: string; secret: string };
  rounds: Figures[];
  cleanup(): Promise<void>;
}

/** Microseconds of each call of `fn`, in order; `settleMs` of idle time between calls (not timed). */
async function timeEach<T>(inputs: T[], fn: (x: T) => Promise<unknown>, settleMs = 0): Promise<number[]> {
  const times: number[] = [];
  for (const x of inputs) {
    const start = process.hrtime.bigint();
    await fn(x);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
    if (settleMs) await pause(settleMs);
  }
  return times;
}

/** Cache-miss (every credential once, on a fresh verifier) and cached (the same again) median microseconds. */
async function checkCost(verifier: CredentialVerifier, credentials: string[], cachedPasses: number) {
  const miss = await timeEach(credentials, async (c) => verifier.verify(c, { ip: "127.0.0.1", headers: {} }), SETTLE_MS);
  const cached = await timeEach(Array.from({ length: cachedPasses }, () => credentials).flat(), async (c) => verifier.verify(c, { ip: "127.0.0.1", headers: {} }));
  return { miss: median(miss), cached: median(cached) };
}

/** Refreshes along every chain at once for `seconds`; median latency (ms) and refreshes per second. */
async function refreshRun(target: Target, seconds: number): Promise<{ ms: number; perSecond: number }> {
  const basic = `Basic ${Buffer.from(`${target.client.id}:${target.client.secret}`).toString("base64")}`;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    target.chains.map(async (_, chain) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const res = await fetch(`${target.server.url}/token`, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: target.chains[chain] }).toString(),
        });
        const body = (await res.json()) as { refresh_token?: string; error?: string; error_description?: string };
        if (!res.ok || !body.refresh_token) {
          throw new Error(`${target.name}: refresh failed (${res.status}): ${body.error} ${body.error_description ?? ""}`);
        }
        latencies.push(performance.now() - sent);
        target.chains[chain] = body.refresh_token;
      }
    }),
  );
  return { ms: median(latencies), perSecond: latencies.length / ((performance.now() - started) / 1000) };
}

/** One round on one database: a fresh verifier of each kind, then refreshing for SECONDS. */
async function measure(target: Target): Promise<Figures> {
  const { ctx } = target.server;
  const keys = await checkCost(new ApiKeyVerifier(ctx.apiKeys, ctx.logger), target.keys, 1);
  const tokens = await checkCost(
    new AccessTokenVerifier({ db: ctx.db, feed: ctx.feed }, ctx.oauth.accessTokens, ctx.logger),
    target.accessTokens,
    CACHED_PASSES,
  );
  const refresh = await refreshRun(target, SECONDS);
  return {
    keyMiss: keys.miss,
    keyCached: keys.cached,
    tokenMiss: tokens.miss,
    tokenCached: tokens.cached,
    refreshMs: refresh.ms,
    refreshPerSecond: refresh.perSecond,
  };
}

/** Runs `work` on `count` items, `parallel` at a time. */
async function inBatches<T>(count: number, parallel: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let done = 0; done < count; done += parallel) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - done) }, (_, i) => work(done + i)))));
  }
  return results;
}

/**
 * The application on `database` behind a server on 127.0.0.1, with a workspace, its owner, KEYS keys, and
 * TOKENS access tokens plus CHAINS refresh tokens from the connect flow (one sign-in and grant each).
 */
async function prepare(name: string, database: TestDatabase, cleanupDatabase: () => Promise<void>): Promise<Target> {
  const started = performance.now();
  const server = await startTestServer({
    DATABASE_URL: database.url,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    // Limits on, as users run them, with a limit too high to trip: every request is counted.
    RATE_LIMIT_PER_MINUTE: "100000000",
    AUTH_FAILURES_PER_MINUTE: "100000000",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
    CACHE_POLL_INTERVAL_MS: "250",
  }).catch(async (err: unknown) => {
    await cleanupDatabase();
    throw err;
  });
  const cleanup = async () => {
    await server.close();
    await cleanupDatabase();
  };
  try {
    const { ctx } = server;
    const user = await ctx.db.user.create({
      data: { email: "bench-databases@example.test", passwordHash: await hashPassword(PASSWORD, ctx.config.argon2) },
    });
    const workspace = await ctx.db.workspace.create({
      data: { name: "Bench Workspace", memberships: { create: { userId: user.id, role: "owner" } } },
    });
    const keys = Array.from({ length: KEYS }, generateKey);
    await ctx.db.apiKey.createMany({
      data: keys.map((k, i) => ({
        workspaceId: workspace.id,
        name: `bench ${i}`,
        access: "read_only",
        digest: digestKey(k),
        prefix: displayPrefix(k),
      })),
    });
    const issued = await createClient(ctx.db, { name: "Bench App", redirectUris: [REDIRECT_URI], actor: CLI });
    const client = { id: issued.client.client_id, secret: issued.clientSecret! };
    const obtain = (scope: string) =>
      connect({
        issuer: server.url,
        client: { ...client, redirectUri: REDIRECT_URI },
        user: { email: user.email, password: PASSWORD },
        scope,
      }).then((c) => c.tokens);
    const accessTokens = (await inBatches(TOKENS, 4, () => obtain(TOKEN_SCOPE))).map((t) => t.access_token);
    const chains = (await inBatches(CHAINS, 4, () => obtain(`${TOKEN_SCOPE} offline_access`))).map((t) => {
      if (!t.refresh_token) throw new Error(`${name}: the connect flow returned no refresh token`);
      return t.refresh_token;
    });
    console.log(`  ${name}: ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${server.url}`);
    return { name, server, keys, accessTokens, chains, client, rounds: [], cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Untimed: first calls of each path (JIT, connection pools, page caches) stay out of round 1. */
async function warmUp(target: Target): Promise<void> {
  const { ctx } = target.server;
  await checkCost(new ApiKeyVerifier(ctx.apiKeys, ctx.logger), target.keys.slice(0, 30), 1);
  await checkCost(new AccessTokenVerifier({ db: ctx.db, feed: ctx.feed }, ctx.oauth.accessTokens, ctx.logger), target.accessTokens, 1);
  await refreshRun(target, 1);
}

function printTable(targets: Target[], skipped: string | null): void {
  const rows: { label: string; pick: (f: Figures) => number; digits: number }[] = [
    { label: "Key check, cache miss (µs)", pick: (f) => f.keyMiss, digits: 0 },
    { label: "Key check, cached (µs)", pick: (f) => f.keyCached, digits: 1 },
    { label: "Token check, cache miss (µs)", pick: (f) => f.tokenMiss, digits: 0 },
    { label: "Token check, cached (µs)", pick: (f) => f.tokenCached, digits: 1 },
    { label: "Refresh grant, median latency (ms)", pick: (f) => f.refreshMs, digits: 1 },
    { label: "Refresh grant, throughput (/s)", pick: (f) => f.refreshPerSecond, digits: 1 },
  ];
  const [sqlite, postgres] = targets;
  console.log(`\nMedians over ${ROUNDS} rounds (${KEYS} keys, ${TOKENS} tokens, ${CHAINS} refresh chains, ${SECONDS} s of refreshing per round):`);
  console.log(`  ${"".padEnd(36)} ${"SQLite".padStart(10)} ${"PostgreSQL".padStart(11)} ${"PG/SQLite".padStart(10)}`);
  for (const row of rows) {
    const a = median(sqlite.rounds.map(row.pick));
    const b = postgres ? median(postgres.rounds.map(row.pick)) : NaN;
    const pg = postgres ? b.toFixed(row.digits) : "skipped";
    const ratio = postgres ? (b / a).toFixed(2) : "-";
    console.log(`  ${row.label.padEnd(36)} ${a.toFixed(row.digits).padStart(10)} ${pg.padStart(11)} ${ratio.padStart(10)}`);
  }
  if (skipped) console.log(`  (${skipped})`);
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_POSTGRES_URL || process.env.TEST_DATABASE_URL || undefined;
  const skipped = adminUrl ? null : "PostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_DATABASE_URL to a PostgreSQL admin URL";
  if (skipped) console.log(skipped);
  console.log(`Preparing (load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, ${os.cpus().length} cores)`);

  const targets: Target[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-bench-db-"));
  try {
    const sqlite = { url: `file:${path.join(dir, "bench.db")}`, drop: async () => undefined };
    targets.push(await prepare("SQLite", sqlite, sqlite.drop));
    if (adminUrl) {
      const database = await createPostgresDatabase(adminUrl);
      targets.push(await prepare("PostgreSQL", database, () => database.drop()));
    }
    for (const t of targets) await warmUp(t);

    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which database goes first as well, so neither always follows the other's refresh burst.
      const order = round % 2 ? targets : [...targets].reverse();
      for (const t of order) {
        const f = await measure(t);
        t.rounds.push(f);
        console.log(
          `  round ${round} ${t.name.padEnd(10)} key miss ${f.keyMiss.toFixed(0)} µs, cached ${f.keyCached.toFixed(1)} µs | ` +
            `token miss ${f.tokenMiss.toFixed(0)} µs, cached ${f.tokenCached.toFixed(1)} µs | ` +
            `refresh ${f.refreshMs.toFixed(1)} ms, ${f.refreshPerSecond.toFixed(1)}/s`,
        );
      }
    }
    printTable(targets, skipped);
    console.log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    for (const t of targets) {
      const warnings = t.server.logs.lines;
      if (warnings.length) console.log(`\n${t.name}: ${warnings.length} warning log lines, first: ${warnings[0]}`);
    }
  } finally {
    for (const t of targets.reverse()) await t.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
