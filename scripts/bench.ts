/**
 * `npm run bench`: the issue-15 targets, measured in one run on 127.0.0.1 and printed as ratios.
 *
 * Three servers run side by side: a bare Express 5 + helmet server with one JSON route (the fixed yardstick,
 * scripts/bench-yardstick.ts) and ours, started the way users run it: rate limiting ON (with a per-minute limit
 * too high to trip, so every request is counted but none refused) and info-level request logs. Rounds
 * alternate between every series, so drift in machine load hits all of them alike; each series' figure is the
 * median of its rounds. Then the key check on a cache miss at BENCH_KEYS keys (seeded in bulk with multi-row
 * INSERTs in one transaction) and the refresh grant against oidc-provider's memory adapter (scripts/bench-oauth.ts).
 *
 * Beside throughput, each round reads the server process's CPU time (Linux /proc) and prints CPU per request:
 * on a machine shared with other work, throughput follows whatever CPU share the process gets, while CPU per
 * request stays close to the code's own cost, so its ratios are the steadier ones.
 *
 * Settings: BENCH_ROUNDS (5), BENCH_SECONDS per round (5), BENCH_CONNECTIONS (32), BENCH_KEYS (1000000),
 * BENCH_LOG_LEVEL (info). A quick run: BENCH_ROUNDS=3 BENCH_SECONDS=3 BENCH_KEYS=100000 (about 2–3 minutes);
 * BENCH_ONLY=throughput stops after the HTTP figures (no key seeding, no refresh grants); BENCH_ONLY=keys measures
 * only the key check on a cache miss; BENCH_ONLY=budget prints what the 0.95-of-`/health` targets leave for /v1's
 * own work, beside what pieces of that work cost (see `budget` below).
 * BENCH_BASELINE=<another checkout> also runs that checkout's built server (its dist/main.js, on the same
 * database) in the same rounds, for a before/after comparison in one run.
 * Absolute numbers mean little on a shared machine; the ratios are what we track.
 *
 * `--postgres` runs everything on a fresh PostgreSQL database made from the admin URL in BENCH_POSTGRES_URL or
 * TEST_DATABASE_URL (`npm run bench:databases` does; without either URL it says so and stops).
 *
 * BENCH_PROFILE=<path> (for example /v1/workspace) instead profiles our server under BENCH_PROFILE_SECONDS (20)
 * of load on that path with the bench key (`node --cpu-prof`) and prints the top of the profile. With
 * BENCH_PROFILE_WITH=perf, Linux perf samples it instead (scripts/perf-top.ts): CPU per request by symbol and by
 * group, native code included, which V8's profiler charges to the JavaScript around it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { loadConfig } from "../src/config.js";
import { buildContext, type AppContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { createApiKey } from "../src/api-keys/create-api-key.js";
import { digestKey, displayPrefix, generateKey } from "../src/api-keys/key-format.js";
import { ApiKeyVerifier } from "../src/credentials/api-key-verifier.js";
import { LastUsedWriter } from "../src/credentials/last-used-writer.js";
import { createVerifierState } from "../src/credentials/shared-state.js";
import { readRows } from "../src/db/read-rows.js";
import { Prisma } from "../src/generated/sqlite/client.js";
import { CLI } from "../src/audit/audit-log.js";
import { hashPassword } from "../src/users/passwords.js";
import { createPostgresDatabase } from "../test/support/database.js";
import { benchRefresh, obtainAccessToken } from "./bench-oauth.js";
import { PERF_HZ, perfTop } from "./perf-top.js";
import { profileTop } from "./profile-top.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
/** Keys whose cache-miss check is timed (spread over the whole table). */
const SAMPLED_KEYS = 300;
/** The share of `/health`'s throughput the /v1/workspace targets ask for (the budget mode works out what it leaves). */
const V1_TARGET = 0.95;
/** Rows per INSERT statement while seeding keys (8 parameters each, well under SQLite's 32,766). */
const ROWS_PER_INSERT = 500;

/** The caller of a key check outside HTTP: loopback, no user agent. */
const BENCH_CALLER = { ip: "127.0.0.1", headers: {} };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the serving process per request, µs (NaN where /proc is not available). */
  cpu: number;
}

/** User + system CPU seconds a process has used so far (Linux; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function load(server: Server, path: string, headers: Record<string, string> = {}): Promise<Round> {
  const url = `${server.url}${path}`;
  const cpuBefore = cpuSeconds(server.child.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpu: (cpu * 1e6) / result.requests.total };
}

interface Server {
  url: string;
  child: ChildProcess;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await pause(200);
  }
  child.kill();
  throw new Error(`${url} did not start`);
}

const PROFILE_SECONDS = Math.max(Number(process.env.BENCH_PROFILE_SECONDS ?? 20), 5);

/**
 * Our server started with `nodeArgs` (a profiler's flags), under PROFILE_SECONDS of load on `target`; `during`
 * runs alongside the load (a recorder attached to the server). The server is stopped either way, so that a
 * profiler writes its file.
 */
async function underLoad<T>(
  nodeArgs: string[],
  env: Record<string, string>,
  target: string,
  headers: Record<string, string>,
  during: (server: Server) => Promise<T>,
): Promise<{ result: autocannon.Result; during: T }> {
  const server = await startProcess([...nodeArgs, "dist/main.js"], env);
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  try {
    const load = autocannon({ url: `${server.url}${target}`, connections: CONNECTIONS, duration: PROFILE_SECONDS, headers });
    const [result, alongside] = await Promise.all([load, during(server)]);
    console.log(`Profile of GET ${target}: ${result.requests.average.toFixed(0)} req/s, ${result.non2xx} non-2xx`);
    return { result, during: alongside };
  } finally {
    server.child.kill("SIGTERM");
    await exited;
  }
}

/** Our server under `node --cpu-prof` for BENCH_PROFILE_SECONDS of load on `target`; prints the profile's top. */
async function profile(env: Record<string, string>, target: string, headers: Record<string, string>): Promise<void> {
  if (process.env.BENCH_PROFILE_WITH === "perf") return profileWithPerf(env, target, headers);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-profile-"));
  const spawned = Date.now();
  // Start-up (module loading, migrations) is left out of the figures: the profile is of serving.
  let skipMs = 0;
  await underLoad(["--cpu-prof", `--cpu-prof-dir=${dir}`], env, target, headers, async () => {
    skipMs = Date.now() - spawned;
  });
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("the server wrote no profile");
  console.log(`${profileTop(path.join(dir, file), 10, skipMs)}
(profile kept at ${path.join(dir, file)})`);
}

/**
 * The same load, sampled by Linux perf instead of V8's profiler (see scripts/perf-top.ts for why): our server runs
 * with --perf-basic-prof, and perf records it for the load's middle, leaving a second at each end out.
 */
async function profileWithPerf(env: Record<string, string>, target: string, headers: Record<string, string>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-perf-"));
  const data = path.join(dir, "perf.data");
  const recordSeconds = PROFILE_SECONDS - 2;
  // --perf-basic-prof also turns on V8's log, which would land in the working directory: it goes beside perf.data.
  const flags = ["--perf-basic-prof", "--no-logfile-per-isolate", `--logfile=${path.join(dir, "v8.log")}`];
  const { result, during: exitCode } = await underLoad(flags, env, target, headers, async (server) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const recorder = spawn("perf", ["record", "-F", String(PERF_HZ), "-g", "-p", String(server.child.pid), "-o", data, "--", "sleep", String(recordSeconds)], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    return new Promise<number | null>((resolve) => {
      recorder.once("error", () => resolve(null));
      recorder.once("exit", resolve);
    });
  });
  if (exitCode !== 0) throw new Error("perf record failed (is perf installed, and may this user use it?)");
  // Requests while perf recorded: the run's average rate over the recorded seconds.
  const requests = Math.round(result.requests.average * recordSeconds);
  console.log(`${perfTop(data, requests, 15)}\n(perf data kept at ${data}; perf writes the JIT symbol map to /tmp/perf-<pid>.map)`);
}

async function startProcess(args: string[], env: Record<string, string>, cwd = process.cwd()): Promise<Server> {
  const port = 3900 + Math.floor(Math.random() * 900);
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", ISSUER: `http://127.0.0.1:${port}` },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  return { url, child };
}

/**
 * Alternating rounds so that drift in machine load hits every series alike; medians per series. Each round starts
 * one series further along, so that no series always follows the same one: a series run right after another on
 * the same server measured up to 10 % apart from its twin run elsewhere in the round.
 */
async function compare(series: Record<string, () => Promise<Round>>): Promise<{ medians: Record<string, Round>; rounds: Record<string, Round[]> }> {
  const samples: Record<string, Round[]> = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  const entries = Object.entries(series);
  for (let round = 1; round <= ROUNDS; round++) {
    const shift = (round - 1) % entries.length;
    for (const [name, run] of [...entries.slice(shift), ...entries.slice(0, shift)]) {
      const r = await run();
      samples[name].push(r);
      console.log(`  round ${round} ${name.padEnd(36)} ${r.rps.toFixed(0).padStart(6)} req/s  ${r.cpu.toFixed(0).padStart(5)} µs CPU/req  p50 ${r.p50} ms  p99 ${r.p99} ms`);
    }
  }
  const medians = Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [
      k,
      {
        rps: median(v.map((r) => r.rps)),
        p50: median(v.map((r) => r.p50)),
        p99: median(v.map((r) => r.p99)),
        cpu: median(v.map((r) => r.cpu)),
      },
    ]),
  );
  return { medians, rounds: samples };
}

/**
 * The median over rounds of `combine(a's round, b's round)`, each pair taken in the same round. When the machine's
 * speed drifts during a run (it does here, by a third between rounds at times), comparing the two medians compares
 * rounds taken at different speeds; series measured a minute apart do not.
 */
function withinRounds(rounds: Record<string, Round[]>, a: string, b: string, combine: (a: Round, b: Round) => number): number {
  return median(rounds[a].map((round, i) => combine(round, rounds[b][i])));
}

/**
 * Seeds `count` keys in bulk: multi-row INSERTs in one transaction, copying the stored form of a template key's
 * columns (dates included) so the rows are exactly what the application writes. Returns SAMPLED_KEYS secrets
 * spread over the table; the other rows get digests of secrets nobody keeps.
 */
async function seedKeys(ctx: AppContext, templateId: string, count: number, postgres: boolean): Promise<string[]> {
  const sampled: string[] = [];
  const every = Math.max(1, Math.floor(count / SAMPLED_KEYS));
  const started = Date.now();
  await ctx.db.$transaction(
    async (tx) => {
      for (let done = 0; done < count; done += ROWS_PER_INSERT) {
        const rows = Math.min(ROWS_PER_INSERT, count - done);
        const params: string[] = [];
        for (let i = 0; i < rows; i++) {
          const n = done + i;
          const key = generateKey();
          if (n % every === 0 && sampled.length < SAMPLED_KEYS) sampled.push(key);
          params.push(`bk${crypto.randomBytes(12).toString("hex")}`, `bench ${n}`, digestKey(key), displayPrefix(key));
        }
        // Placeholders: SQLite numbers `?` in order; PostgreSQL wants `$1`, `$2`, …
        let n = 0;
        const next = () => (postgres ? `$${++n}` : "?");
        const values = Array.from({ length: rows }, () => `(${next()}, ${next()}, ${next()}, ${next()})`).join(", ");
        await tx.$executeRawUnsafe(
          `INSERT INTO "ApiKey" ("id", "workspaceId", "name", "createdById", "access", "digest", "prefix", "createdAt", "status")
           SELECT v.column1, t."workspaceId", v.column2, t."createdById", t."access", v.column3, v.column4, t."createdAt", t."status"
           FROM (VALUES ${values}) AS v, "ApiKey" AS t WHERE t."id" = ${next()}`,
          ...params,
          templateId,
        );
      }
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  console.log(`  seeded ${count.toLocaleString("en")} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return sampled;
}

/** The one last-used writer, keeping the write each check starts (at most one per key a minute) to wait for it. */
class AwaitedLastUsedWriter extends LastUsedWriter {
  pending?: Promise<unknown>;
  writeUs: number[] = [];

  override touch(id: string, now: number, write: (at: Date) => () => Promise<unknown>): void {
    super.touch(id, now, (at) => {
      const written = write(at);
      let started!: (write: Promise<unknown>) => void;
      // Settles when the write, which starts after the check's own work (setImmediate), is done.
      this.pending = new Promise<Promise<unknown>>((resolve) => (started = resolve));
      return () => {
        const start = process.hrtime.bigint();
        const done = written().finally(() => this.writeUs.push(Number(process.hrtime.bigint() - start) / 1000));
        started(done);
        return done;
      };
    });
  }
}

/** Median µs: a key check on a cache miss, a cached one, the key's last-used write, and a bare round trip. */
interface KeyCheckCost {
  miss: number;
  cached: number;
  lastUsedWrite: number;
  roundTrip: number;
}

/**
 * Median µs of a check on a cache miss (a fresh verifier, each key once) and of a cached check. The change
 * feed runs, as in a server: without it the cache could not vouch for its entries (bounded trust) and every
 * "cached" check past the poll interval would be a database re-check. The check answers before its key's
 * last-used write (fire-and-forget, one per key a minute) is done; that write is waited for before the next
 * check, so each figure is the check itself, and the write's own time is reported beside it.
 */
async function keyCheckCost(ctx: AppContext, keys: string[]): Promise<KeyCheckCost> {
  await ctx.feed.start();
  const lastUsed = new AwaitedLastUsedWriter(ctx.logger);
  const state = { ...createVerifierState(ctx.feed, ctx.logger), lastUsed };
  const verifier = new ApiKeyVerifier(ctx.apiKeys, ctx.logger, undefined, state);
  const time = async (key: string) => {
    const start = process.hrtime.bigint();
    const principal = await verifier.verify(key, BENCH_CALLER);
    const us = Number(process.hrtime.bigint() - start) / 1000;
    if (!principal) throw new Error("seeded key not found");
    await lastUsed.pending?.catch(() => undefined);
    lastUsed.pending = undefined;
    await pause(1);
    return us;
  };
  const miss: number[] = [];
  for (const key of keys) miss.push(await time(key));
  const cached: number[] = [];
  for (const key of keys) cached.push(await time(key));
  // The floor under a miss: one statement that reads nothing, through the same path and at the same pace.
  const roundTrip: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const start = process.hrtime.bigint();
    await readRows(ctx.db, Prisma.sql`SELECT 1`);
    roundTrip.push(Number(process.hrtime.bigint() - start) / 1000);
    await pause(1);
  }
  return { miss: median(miss), cached: median(cached), lastUsedWrite: median(lastUsed.writeUs), roundTrip: median(roundTrip) };
}

/**
 * Seeds KEYS keys beside the bench key and measures a key check on a cache miss among them. On PostgreSQL the
 * table is vacuumed and analysed first: a bulk load of a million rows sets off autovacuum and the checkpointer,
 * which would otherwise share the two cores with the measurement; a table that has grown to that size in use
 * is past that work.
 */
async function keyMissSection(ctx: AppContext, secret: string, postgresUrl: string | undefined): Promise<KeyCheckCost> {
  console.log(`\nKey check on a cache miss at ${KEYS.toLocaleString("en")} keys (median µs over ${SAMPLED_KEYS} keys):`);
  const template = await ctx.db.apiKey.findUniqueOrThrow({ where: { digest: digestKey(secret) } });
  const sampled = await seedKeys(ctx, template.id, KEYS, postgresUrl !== undefined);
  if (postgresUrl) {
    // On a connection of its own: the app's connections have a statement timeout, and this takes longer.
    const started = Date.now();
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(`VACUUM ANALYZE "ApiKey"`);
    } finally {
      await client.end();
    }
    console.log(`  VACUUM ANALYZE "ApiKey" in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const keyCost = await keyCheckCost(ctx, sampled);
  console.log(
    `  cache miss ${keyCost.miss.toFixed(0)} µs   cached ${keyCost.cached.toFixed(1)} µs   (the key's last-used write, after the check answered: ${keyCost.lastUsedWrite.toFixed(0)} µs)`,
  );
  console.log(`  a statement that reads nothing (SELECT 1), the same path and pace: ${keyCost.roundTrip.toFixed(0)} µs`);
  return keyCost;
}

/**
 * BENCH_ONLY=budget: how much CPU per request the 0.95-of-`/health` target leaves for everything /v1 adds, beside
 * what single pieces of that work cost under the same load. Our server runs with scripts/bench-budget-work.ts,
 * which does one known piece of work before the app sees `/health?<piece>`; each piece's cost is the median over
 * rounds of its CPU per request minus the control's (`/health?control`) in the same round. The `spin=N` pieces
 * calibrate: busy CPU of a known length, to show what one µs of added work costs at saturation. The floor is the
 * real credential check and rate limit alone (sent the bench key), and `/v1/workspace` itself runs in the same rounds.
 */
async function budget(env: Record<string, string>, secret: string): Promise<void> {
  const server = await startProcess(["--import", "tsx", "--import", "./scripts/bench-budget-work.ts", "dist/main.js"], env);
  const bearer = { authorization: `Bearer ${secret}` };
  const pieces: Record<string, { target: string; headers?: Record<string, string> }> = {
    control: { target: "/health?control" },
    "busy 5 µs": { target: "/health?spin=5" },
    "busy 10 µs": { target: "/health?spin=10" },
    "busy 20 µs": { target: "/health?spin=20" },
    "four RateLimit headers": { target: "/health?headers" },
    "SHA-256 of a key": { target: "/health?digest" },
    "floor: key check + limit": { target: "/health?floor", headers: bearer },
    "/v1/workspace, key": { target: "/v1/workspace", headers: bearer },
  };
  console.log(`Budget: ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections, 127.0.0.1`);
  let rounds: Record<string, Round[]>;
  try {
    // Warm-up, not counted: the first round after start runs on colder code, and the floor's first check reads the key.
    await load(server, pieces.control.target);
    await load(server, pieces["floor: key check + limit"].target, bearer);
    ({ rounds } = await compare(
      Object.fromEntries(Object.entries(pieces).map(([name, { target, headers }]) => [name, () => load(server, target, headers)])),
    ));
  } finally {
    server.child.kill("SIGTERM");
  }
  const control = median(rounds.control.map((r) => r.cpu));
  const allowed = control * (1 / V1_TARGET - 1);
  console.log(`\n/health (with a query string) costs ${control.toFixed(1)} µs of CPU per request.`);
  console.log(`${V1_TARGET} of its throughput leaves ${allowed.toFixed(1)} µs per request for everything /v1 adds.`);
  for (const name of Object.keys(pieces).filter((n) => n !== "control")) {
    const cost = withinRounds(rounds, name, "control", (piece, control) => piece.cpu - control.cpu);
    const throughput = withinRounds(rounds, name, "control", (piece, control) => piece.rps / control.rps);
    console.log(`  ${name.padEnd(26)} adds ${cost.toFixed(1).padStart(5)} µs CPU/req (${(cost / allowed).toFixed(2)} of the budget); throughput ${throughput.toFixed(3)} of /health`);
  }
}

function keyMissVerdict(cost: KeyCheckCost): boolean {
  return verdict(`key check on a cache miss at ${KEYS.toLocaleString("en")} keys (ms)`, cost.miss / 1000, 1, false);
}

function verdict(label: string, measured: number, target: number, atLeast: boolean, digits = 3): boolean {
  const pass = atLeast ? measured >= target : measured <= target;
  const goal = `${atLeast ? ">=" : "<="} ${target}`;
  console.log(`  ${label.padEnd(52)} target ${goal.padEnd(10)} measured ${measured.toFixed(digits).padStart(8)}   ${pass ? "PASS" : "MISS"}`);
  return pass;
}

async function main() {
  const postgresAdmin = process.argv.includes("--postgres") ? process.env.BENCH_POSTGRES_URL || process.env.TEST_DATABASE_URL : undefined;
  if (process.argv.includes("--postgres") && !postgresAdmin) {
    console.log("PostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_DATABASE_URL (source scripts/ci-postgres.sh && ci_postgres_start)");
    return;
  }
  const database = postgresAdmin ? await createPostgresDatabase(postgresAdmin) : undefined;
  console.log(`Database: ${database ? "PostgreSQL" : "SQLite"}`);
  console.log(`uptime: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (load averages 1/5/15 min, ${os.cpus().length} CPUs)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-bench-"));
  // The defaults users run: rate limiting on, info logs. The limit is set too high to trip, so every request
  // is counted (the cost we measure) and none is refused.
  const env = {
    DATABASE_URL: database?.url ?? `file:${path.join(dir, "bench.db")}`,
    NODE_ENV: "production",
    RATE_LIMIT_PER_MINUTE: "100000000",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
  };
  const config = loadConfig(env);
  const ctx = await buildContext(config, { logger: createLogger("warn"), migrate: true });
  /** Closes the context and removes this run's database (the SQLite folder, or the PostgreSQL database). */
  const release = async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  };
  const workspace = await ctx.db.workspace.create({ data: { name: "Bench Workspace" } });
  const created = await createApiKey(ctx.apiKeys, { workspaceId: workspace.id, name: "bench", access: "read_only", actor: CLI });
  const secret = created.key;
  if (!secret) throw new Error("bench key was not created");
  // The budget needs only the key: no user or subscribers (the user's Argon2 hash alone takes a while).
  if (process.env.BENCH_ONLY === "budget") {
    try {
      await budget(env, secret);
    } finally {
      await release();
    }
    return;
  }
  const user = await ctx.db.user.create({
    data: { email: "bench@example.test", passwordHash: await hashPassword("bench-password", config.argon2) },
  });
  await ctx.db.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role: "owner" } });
  await ctx.db.subscriber.createMany({
    data: Array.from({ length: 100 }, (_, i) => ({
      workspaceId: workspace.id,
      email: `Subscriber${i}@Example.test`,
      emailNormalized: `subscriber${i}@example.test`,
      firstName: `First${i}`,
      lastName: `Last${i}`,
    })),
  });

  if (process.env.BENCH_PROFILE) {
    try {
      await profile(env, process.env.BENCH_PROFILE, { authorization: `Bearer ${secret}` });
    } finally {
      await release();
    }
    return;
  }

  if (process.env.BENCH_ONLY === "keys") {
    const keyCost = await keyMissSection(ctx, secret, database?.url);
    keyMissVerdict(keyCost);
    await release();
    return;
  }

  console.log(`Throughput: ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections, 127.0.0.1`);
  const yardstick = await startProcess(["--import", "tsx", "scripts/bench-yardstick.ts"], {});
  const ours = await startProcess(["dist/main.js"], env);
  const baselineDir = process.env.BENCH_BASELINE;
  const baseline = baselineDir ? await startProcess(["dist/main.js"], env, baselineDir) : undefined;
  const key = { authorization: `Bearer ${secret}` };
  let medians: Record<string, Round>;
  let rounds: Record<string, Round[]>;
  try {
    const token = await obtainAccessToken({ issuer: ours.url, ctx, user: { email: "bench@example.test", password: "bench-password" } });
    const series: Record<string, () => Promise<Round>> = {
      "Express 5 + helmet (yardstick)": () => load(yardstick, "/health"),
      "GET /health": () => load(ours, "/health"),
      "GET /v1/workspace (key)": () => load(ours, "/v1/workspace", key),
      "GET /v1/workspace (OAuth)": () => load(ours, "/v1/workspace", { authorization: `Bearer ${token}` }),
      "GET /v1/subscribers?limit=20 (key)": () => load(ours, "/v1/subscribers?limit=20", key),
    };
    if (baseline) {
      series["baseline GET /health"] = () => load(baseline, "/health");
      series["baseline GET /v1/workspace (key)"] = () => load(baseline, "/v1/workspace", key);
      series["baseline GET /v1/subscribers (key)"] = () => load(baseline, "/v1/subscribers?limit=20", key);
    }
    ({ medians, rounds } = await compare(series));
  } finally {
    yardstick.child.kill("SIGTERM");
    ours.child.kill("SIGTERM");
    baseline?.child.kill("SIGTERM");
  }
  const YARD = "Express 5 + helmet (yardstick)";
  const HEALTH = "GET /health";
  /** The median over rounds of one series' figure ÷ another's in the same round (see withinRounds). */
  const perRound = (a: string, b: string, figure: (r: Round) => number) => withinRounds(rounds, a, b, (x, y) => figure(x) / figure(y));
  const rps = (r: Round) => r.rps;
  const cpu = (r: Round) => r.cpu;
  console.log("\nMedians (ratios: the median over rounds of the ratio within each round; CPU per request and its ratio, the other's CPU ÷ this one's, below):");
  for (const [name, r] of Object.entries(medians)) {
    console.log(
      `  ${name.padEnd(36)} ${r.rps.toFixed(0).padStart(7)} req/s  ÷ yardstick ${perRound(name, YARD, rps).toFixed(3)}  ÷ /health ${perRound(name, HEALTH, rps).toFixed(3)}  p50 ${r.p50} ms  p99 ${r.p99} ms`,
    );
  }
  for (const [name, r] of Object.entries(medians)) {
    console.log(
      `  ${name.padEnd(36)} ${r.cpu.toFixed(0).padStart(7)} µs CPU/req  yardstick-equivalent ${perRound(YARD, name, cpu).toFixed(3)}  /health-equivalent ${perRound(HEALTH, name, cpu).toFixed(3)}`,
    );
  }

  if (process.env.BENCH_ONLY === "throughput") {
    await release();
    return;
  }

  const keyCost = await keyMissSection(ctx, secret, database?.url);
  await release();

  const refreshDatabase = postgresAdmin ? await createPostgresDatabase(postgresAdmin) : undefined;
  const refresh = await benchRefresh(refreshDatabase?.url).finally(() => refreshDatabase?.drop());

  const WS = "GET /v1/workspace (key)";
  const WS_OAUTH = "GET /v1/workspace (OAuth)";
  const SUBS = "GET /v1/subscribers?limit=20 (key)";
  const subs = medians[SUBS];
  console.log(`\nTargets (one run, ratios taken within each round; load averages now ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}):`);
  // [series, the series it is measured against, the least ratio]: as throughput, then as CPU per request.
  const targets: [string, string, number][] = [
    [HEALTH, YARD, 0.6],
    [WS, HEALTH, V1_TARGET],
    [WS, YARD, 0.57],
    [WS_OAUTH, HEALTH, V1_TARGET],
    [WS_OAUTH, YARD, 0.57],
    [SUBS, HEALTH, 0.5],
    [SUBS, YARD, 0.3],
  ];
  const short = (name: string) => (name === YARD ? "yardstick" : name.replace(/^GET /, ""));
  for (const [series, against, least] of targets) verdict(`${short(series)} ÷ ${short(against)}`, perRound(series, against, rps), least, true);
  console.log("  the same, as CPU per request (steadier on a loaded machine):");
  for (const [series, against, least] of targets) verdict(`  ${short(series)} ÷ ${short(against)} (CPU)`, perRound(against, series, cpu), least, true);
  verdict(`/v1/subscribers p99 ÷ p50 (${subs.p99} / ${subs.p50} ms)`, subs.p99 / subs.p50, 4, false, 2);
  keyMissVerdict(keyCost);
  verdict("refresh grant ÷ memory adapter", refresh.ratio, 0.5, true);
  console.log(`  SQL statements per refresh grant: ${refresh.statementsPerGrant.toFixed(1)} (no target; fewer is better)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
