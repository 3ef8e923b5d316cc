/**
 * `npm run bench`: throughput of authenticated /v1 requests as a ratio of the unauthenticated /health
 * baseline, measured in one run on 127.0.0.1, plus the cost of a key check at 1,000 and 100,000 keys.
 * Absolute numbers mean little on a shared machine; the ratios are what we track.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.js";
import { buildContext, type AppContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { createApiKey } from "../src/api-keys/create-api-key.js";
import { digestKey, displayPrefix, generateKey } from "../src/api-keys/key-format.js";
import { ApiKeyVerifier } from "../src/credentials/api-key-verifier.js";
import { CLI } from "../src/audit/audit-log.js";
import { hashPassword } from "../src/users/passwords.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return result.requests.average;
}

async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, ["dist/main.js"], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", ISSUER: `http://127.0.0.1:${port}` },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error("server did not start");
}

/** Alternating rounds so that drift in machine load hits every series alike. */
async function compare(series: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, run] of Object.entries(series)) {
      const rps = await run();
      samples[name].push(rps);
      console.log(`  round ${round} ${name.padEnd(22)} ${rps.toFixed(0)} req/s`);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Median microseconds of `fn` over the given inputs. */
async function timeEach<T>(inputs: T[], fn: (x: T) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (const x of inputs) {
    const start = process.hrtime.bigint();
    await fn(x);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(times);
}

async function seedKeys(ctx: AppContext, workspaceId: string, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let done = 0; done < count; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - done) }, generateKey);
    keys.push(...batch);
    await ctx.db.apiKey.createMany({
      data: batch.map((k, i) => ({
        workspaceId,
        name: `bench ${done + i}`,
        access: "read_only",
        digest: digestKey(k),
        prefix: displayPrefix(k),
      })),
    });
  }
  return keys;
}

async function keyCheckCost(ctx: AppContext, workspaceId: string, keys: string[]) {
  const sample = keys.filter((_, i) => i % Math.ceil(keys.length / 300) === 0).slice(0, 300);
  const verifier = new ApiKeyVerifier(ctx.apiKeys, ctx.logger);
  const cold = await timeEach(sample, (k) => verifier.verify(k));
  const warm = await timeEach(sample, (k) => verifier.verify(k));
  void workspaceId;
  return { cold, warm };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-bench-"));
  const env = {
    DATABASE_URL: `file:${path.join(dir, "bench.db")}`,
    RATE_LIMIT_DISABLED: "1",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
  };
  const config = loadConfig({ ...env, NODE_ENV: "production" });
  const ctx = await buildContext(config, { logger: createLogger("warn"), migrate: true });
  const workspace = await ctx.db.workspace.create({ data: { name: "Bench Workspace" } });
  const created = await createApiKey(ctx.apiKeys, { workspaceId: workspace.id, name: "bench", access: "read_only", actor: CLI });
  const user = await ctx.db.user.create({
    data: { email: "bench@example.test", passwordHash: await hashPassword("bench-password", config.argon2) },
  });
  await ctx.db.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role: "owner" } });

  console.log(`Throughput: ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections, 127.0.0.1`);
  const server = await startServer(env);
  const series: Record<string, () => Promise<number>> = {
    "GET /health": () => throughput(`${server.url}/health`),
    "GET /v1/workspace (key)": () =>
      throughput(`${server.url}/v1/workspace`, { authorization: `Bearer ${created.key}` }),
  };
  const oauth = await import("./bench-oauth.js").catch(() => null);
  if (oauth?.obtainAccessToken) {
    const token: string = await oauth.obtainAccessToken({ issuer: server.url, ctx, user: { email: user.email, password: "bench-password" } });
    series["GET /v1/workspace (OAuth)"] = () =>
      throughput(`${server.url}/v1/workspace`, { authorization: `Bearer ${token}` });
  }
  let medians: Record<string, number>;
  try {
    medians = await compare(series);
  } finally {
    server.child.kill("SIGTERM");
  }
  const base = medians["GET /health"];
  console.log("\nMedians and ratios to /health (targets: key >= 0.85, OAuth >= 0.80):");
  for (const [name, rps] of Object.entries(medians)) {
    console.log(`  ${name.padEnd(26)} ${rps.toFixed(0).padStart(7)} req/s   ratio ${(rps / base).toFixed(3)}`);
  }

  console.log("\nKey check cost (median µs over 300 keys; cold = cache miss, one indexed lookup; warm = cached):");
  const first = await seedKeys(ctx, workspace.id, 1000);
  const at1k = await keyCheckCost(ctx, workspace.id, first);
  const more = await seedKeys(ctx, workspace.id, 99_000);
  const at100k = await keyCheckCost(ctx, workspace.id, [...first, ...more]);
  console.log(`  1,000 keys:   cold ${at1k.cold.toFixed(0)} µs   warm ${at1k.warm.toFixed(1)} µs`);
  console.log(`  100,000 keys: cold ${at100k.cold.toFixed(0)} µs   warm ${at100k.warm.toFixed(1)} µs`);
  console.log(`  ratio 100k/1k: cold ${(at100k.cold / at1k.cold).toFixed(2)}   warm ${(at100k.warm / at1k.warm).toFixed(2)}`);

  if (oauth?.benchRefresh) await oauth.benchRefresh();
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
