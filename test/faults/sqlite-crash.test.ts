import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createClient } from "@libsql/client";
import { loadConfig } from "../../src/config.js";
import { buildContext } from "../../src/context.js";
import { createLogger } from "../../src/logger.js";
import { tempDir } from "../support/app.js";
import { makeKey, makeWorkspace } from "../support/fixtures.js";
import { type NodeProcess, startNode } from "../support/node-process.js";
import { getStatus, post } from "./support/sqlite-load.js";

const WRITERS = 20;
/** Kill once this many writes were acknowledged (or after KILL_AFTER_MS), with every writer still in flight. */
const ACKNOWLEDGED_BEFORE_KILL = 150;
const KILL_AFTER_MS = 20_000;

describe("SQLite: the server killed with SIGKILL in the middle of writes", () => {
  let dir: string;
  let url: string;
  let key: string;
  let server: NodeProcess | undefined;

  beforeAll(async () => {
    dir = tempDir("wa-fault-crash-");
    url = `file:${path.join(dir, "app.db")}`;
    const ctx = await buildContext(loadConfig({ NODE_ENV: "test", DATABASE_URL: url }), { logger: createLogger("silent"), migrate: true });
    try {
      key = (await makeKey(ctx, (await makeWorkspace(ctx)).id, "read_write")).key;
    } finally {
      await ctx.close();
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ DATABASE_URL: url, ISSUER: "http://127.0.0.1", RATE_LIMIT_PER_MINUTE: "1000000" });

  test("when the server is killed -9 during writes and restarted, then every acknowledged write is there and integrity_check is ok", async () => {
    server = await startNode("crash", env());
    const victim = server;
    const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });
    const acknowledged: string[] = [];
    let attempted = 0;
    let killed = false;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; !killed; i++) {
        const email = `crash-${w}-${i}@load.example`;
        attempted++;
        const { status } = await post(agent, `${victim.url}/v1/subscribers`, key, { email });
        if (status === 201) acknowledged.push(email);
      }
    });
    const started = Date.now();
    while (acknowledged.length < ACKNOWLEDGED_BEFORE_KILL && Date.now() - started < KILL_AFTER_MS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = new Promise((resolve) => victim.child.once("exit", resolve));
    victim.child.kill("SIGKILL");
    killed = true;
    await exited;
    await Promise.all(writers);
    agent.destroy();

    server = await startNode("restarted", env());
    expect(await getStatus(`${server.url}/ready`)).toBe(200);
    const after = new http.Agent();
    expect((await post(after, `${server.url}/v1/subscribers`, key, { email: "after-restart@load.example" })).status).toBe(201);
    after.destroy();

    const client = createClient({ url });
    try {
      const integrity = await client.execute("PRAGMA integrity_check");
      const rows = await client.execute(`SELECT email FROM "Subscriber"`);
      const stored = new Set(rows.rows.map((r) => String(r.email)));
      const missing = acknowledged.filter((e) => !stored.has(e));
      console.log(
        `[figure] sqlite kill -9 during writes: ${acknowledged.length} writes acknowledged (of ${attempted} sent), ` +
          `${acknowledged.length - missing.length} present after restart, integrity_check ${String(integrity.rows[0][0])}`,
      );
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(missing).toEqual([]);
      expect(integrity.rows.map((r) => String(r[0]))).toEqual(["ok"]);
    } finally {
      client.close();
    }
  });
});
