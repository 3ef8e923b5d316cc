import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { generateKey } from "../../src/api-keys/key-format.js";
import { tempDir } from "../support/app.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase } from "../support/database.js";
import { startNode } from "../support/node-process.js";
import { startKeepAliveLoad } from "./keep-alive-load.js";

const RUNS = 5;
const GRACE_MS = 5_000;
const adminUrl = postgresAdminUrl();

/** Requests that reach the database: the readiness probe, and unknown API keys (looked up, then 401). */
const PATHS = [
  { path: "/ready" },
  ...Array.from({ length: 4 }, () => ({ path: "/v1/workspace", headers: { authorization: `Bearer ${generateKey()}` } })),
  { path: "/health" },
];

function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > until) return reject(new Error(`condition not met within ${timeoutMs} ms`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Starts a server on `databaseUrl`, loads it, sends SIGTERM, and checks what the clients and the exit saw. */
async function sigtermUnderLoad(label: string, databaseUrl: string, run: number): Promise<void> {
  const node = await startNode(`${label}-${run}`, {
    DATABASE_URL: databaseUrl,
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    // The failure limiter stays on (its counters sync with the database) but never refuses these requests.
    AUTH_FAILURES_PER_MINUTE: "10000000",
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    node.child.on("exit", (code) => resolve({ code, at: Date.now() })),
  );
  const load = startKeepAliveLoad(node.url, PATHS);
  await waitFor(() => load.completed >= 200, 30_000);
  const before = load.completed;
  const signalled = Date.now();
  node.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), GRACE_MS + 5_000)))]);
  clearTimeout(timer);
  const result = await load.stop();
  if (!exit) node.child.kill("SIGKILL");
  const exitMs = exit ? exit.at - signalled : Infinity;
  console.log(
    `[figure] ${label} run ${run}: ${before} requests before SIGTERM, ${result.completed - before} completed after it ` +
      `(${result.closing} with Connection: close), ${result.aborted.length} aborted, ${result.refused} refused after close; ` +
      `exit ${exit?.code} after ${exitMs} ms`,
  );
  const logs = node.logs.join("\n");
  expect(result.aborted).toEqual([]);
  expect(exit?.code).toBe(0);
  expect(exitMs).toBeLessThanOrEqual(GRACE_MS + 1_000);
  // Each client's request in flight at the signal was answered, and told to close its connection.
  expect(result.closing).toBeGreaterThanOrEqual(1);
  expect(logs).toMatch(/"msg":"stopped"/);
  expect(logs).not.toMatch(/Cannot use a pool|"level":(50|60)/);
}

describe("SIGTERM while keep-alive clients send continuously", () => {
  test(`when the server runs on SQLite, then every started request completes and it exits 0 within grace + 1 s (${RUNS} runs)`, async () => {
    const dir = tempDir("wa-drain-");
    try {
      for (let run = 1; run <= RUNS; run++) await sigtermUnderLoad("sqlite", `file:${path.join(dir, "app.db")}`, run);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (adminUrl ? test : test.skip)(
    `when the server runs on PostgreSQL, then every started request completes and it exits 0 within grace + 1 s (${RUNS} runs; needs TEST_DATABASE_URL)`,
    async () => {
      const db: TestDatabase = await createPostgresDatabase(adminUrl as string);
      try {
        for (let run = 1; run <= RUNS; run++) await sigtermUnderLoad("postgres", db.url, run);
      } finally {
        await db.drop();
      }
    },
  );
});

describe("SIGTERM with one slow request in flight", () => {
  /** A POST whose body arrives in two parts: the request is running (its body being read) in between. */
  async function slowPost(url: string) {
    const { port } = new URL(url);
    const socket = net.connect(Number(port), "127.0.0.1");
    let response = "";
    socket.setEncoding("utf8").on("data", (d: string) => (response += d));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await new Promise((resolve) => socket.once("connect", resolve));
    const body = "email=a%40example.test&password=x";
    socket.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    return { finish: () => socket.write(body.slice(5)), closed, response: () => response, destroy: () => socket.destroy() };
  }

  test("when the request finishes within the grace period, then it is answered with Connection: close and the server exits 0", async () => {
    const dir = tempDir("wa-drain-slow-");
    const node = await startNode("slow request", { DATABASE_URL: `file:${path.join(dir, "app.db")}`, SHUTDOWN_GRACE_MS: "5000" });
    const post = await slowPost(node.url);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const exited = new Promise<number | null>((resolve) => node.child.on("exit", (code) => resolve(code)));
      node.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 1_500));
      expect(node.child.exitCode).toBeNull();
      post.finish();
      await post.closed;
      expect(post.response()).toMatch(/^HTTP\/1\.1 \d{3} /);
      expect(post.response()).toMatch(/^connection: close$/im);
      expect(await exited).toBe(0);
    } finally {
      post.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("when the request is still running when the grace period ends, then the server exits 1 at that moment", async () => {
    const dir = tempDir("wa-drain-stuck-");
    const node = await startNode("stuck request", { DATABASE_URL: `file:${path.join(dir, "app.db")}`, SHUTDOWN_GRACE_MS: "2000" });
    const post = await slowPost(node.url);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const exited = new Promise<number | null>((resolve) => node.child.on("exit", (code) => resolve(code)));
      const signalled = Date.now();
      node.child.kill("SIGTERM");
      expect(await exited).toBe(1);
      const exitMs = Date.now() - signalled;
      console.log(`[figure] request stuck past SHUTDOWN_GRACE_MS=2000: exit 1 after ${exitMs} ms`);
      expect(exitMs).toBeGreaterThanOrEqual(2_000);
      expect(exitMs).toBeLessThanOrEqual(3_000);
      expect(node.logs.join("\n")).toMatch(/grace period over/);
    } finally {
      post.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
