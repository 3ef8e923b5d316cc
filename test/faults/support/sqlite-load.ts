import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { BIN } from "../../support/compiled-cli.js";
import { ROOT } from "../../support/root.js";

/** One answered request: its status (0 when the connection failed) and how long it took. */
export interface Sample {
  status: number;
  ms: number;
}

/** POSTs a JSON body through `agent` and resolves with the status and the time taken (never rejects). */
export function post(agent: http.Agent, url: string, key: string, body: unknown): Promise<Sample> {
  const started = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(payload);
  });
}

/** GETs `url` (with a key when given) and resolves with the status. */
export async function getStatus(url: string, key?: string): Promise<number> {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  await res.arrayBuffer();
  return res.status;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the process exited (performance.now()). */
  endedAt: number;
}

/**
 * Runs the compiled CLI with `--json` at the lowest CPU priority (nice 19): twenty Node.js processes booting at once on a
 * 2-core machine would otherwise take the CPU from the server and measure the scheduler instead of the locking.
 */
export function cli(args: string[], databaseUrl: string): Promise<CliResult> {
  const child = spawn("nice", ["-n", "19", process.execPath, BIN, ...args, "--json"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      ARGON2_MEMORY_KIB: "19456",
      ARGON2_ITERATIONS: "2",
      ARGON2_PARALLELISM: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, endedAt: performance.now() }));
  });
}

/** The one JSON object a successful `--json` CLI run prints. */
export function cliOutput(run: CliResult): Record<string, string> {
  if (run.code !== 0) throw new Error(`CLI exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim()) as Record<string, string>;
}

/** How many file descriptors process `pid` holds on files whose path contains `name` (app.db, -wal, -shm). */
export function descriptorsOn(pid: number, name: string): number {
  return fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).includes(name);
    } catch {
      return false;
    }
  }).length;
}

/** The largest of `values`, 0 for none. */
export const max = (values: number[]) => values.reduce((m, v) => Math.max(m, v), 0);

/** The p-quantile (0..1) of `values`. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** What test/faults/support/write-many.ts reports. */
export interface WriteManyResult {
  before: number;
  after: number;
  writes: number;
  /** How many of the writes were interactive transactions. */
  transactions: number;
  busyTimeout: number;
}

/** Runs write-many.ts in a process of its own: `count` write transactions through createDb, `concurrency` at a time. */
export function writeMany(url: string, workspaceId: string, count: number, concurrency: number): Promise<WriteManyResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "test", "faults", "support", "write-many.ts"), url, workspaceId, String(count), String(concurrency)],
      { cwd: ROOT, timeout: 240_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as WriteManyResult)),
    );
  });
}
