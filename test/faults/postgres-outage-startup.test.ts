import { spawn } from "node:child_process";
import { createPostgresDatabase, type TestDatabase } from "../support/database.js";
import { hasPostgresBinaries, type PostgresCluster, startPostgresCluster } from "../support/postgres-cluster.js";
import { NODE_ENV_BASE, SERVER_COMMAND } from "../support/node-process.js";
import { ROOT } from "../support/root.js";
import { statusOf } from "./outage-traffic.js";

const withPostgres = hasPostgresBinaries ? describe : describe.skip;

interface Entry {
  msg?: string;
  port?: number;
}

/** The server as a child process: its JSON log entries as they come, and its exit. */
function spawnServer(env: Record<string, string>) {
  const [executable, ...args] = SERVER_COMMAND;
  const child = spawn(executable, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...NODE_ENV_BASE, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const entries: Entry[] = [];
  const waiters: { msg: string; resolve: (e: Entry) => void }[] = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    const lines = (buffered + d).split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Entry;
        entries.push(entry);
        for (const w of waiters.filter((w) => w.msg === entry.msg)) w.resolve(entry);
      } catch {
        // not a log entry
      }
    }
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    entries,
    exited,
    /** The first entry with this message (waits for it). */
    logged(msg: string): Promise<Entry> {
      const seen = entries.find((e) => e.msg === msg);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
    count: (msg: string) => entries.filter((e) => e.msg === msg).length,
  };
}

withPostgres("a server started before its PostgreSQL (needs /usr/lib/postgresql/15/bin)", () => {
  let cluster: PostgresCluster;
  let database: TestDatabase;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    database = await createPostgresDatabase(cluster.adminUrl);
    await cluster.stop();
  }, 120_000);

  afterAll(async () => {
    await cluster.start().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    await cluster?.destroy();
  });

  test("when PostgreSQL stays down, then the server logs each of its bounded attempts and exits 1", async () => {
    const started = performance.now();
    const server = spawnServer({ DATABASE_URL: database.url, ISSUER: "http://127.0.0.1:3000", DATABASE_STARTUP_ATTEMPTS: "3" });
    const code = await server.exited;
    console.log(`[figure] start-up with PostgreSQL down: exit ${code} after ${Math.round(performance.now() - started)} ms and 3 attempts`);
    expect(code).toBe(1);
    expect(server.count("database unreachable: retrying")).toBe(2);
    expect(server.count("database still unreachable: giving up")).toBe(1);
    expect(server.count("workspace-auth listening")).toBe(0);
  }, 120_000);

  test("when PostgreSQL comes up while the server is retrying, then the server waits for it and serves", async () => {
    const server = spawnServer({ DATABASE_URL: database.url, ISSUER: "http://127.0.0.1:3000" });
    try {
      await server.logged("database unreachable: retrying");
      await cluster.start();
      const { port } = await server.logged("workspace-auth listening");
      expect(await statusOf(`http://127.0.0.1:${port}/ready`)).toBe(200);
      expect(server.count("database reachable")).toBe(1);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 120_000);
});
