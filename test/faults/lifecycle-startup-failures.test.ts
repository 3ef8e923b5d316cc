import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { tempDir } from "../support/app.js";
import { createPostgresDatabase, postgresAdminUrl, withDatabase } from "../support/database.js";
import { NODE_ENV_BASE, SERVER_COMMAND } from "../support/node-process.js";
import { ROOT } from "../support/root.js";

const adminUrl = postgresAdminUrl();
/** oidc-provider's notice on Node 20, printed before anything of ours. */
const RUNTIME_NOTICE = /^oidc-provider WARNING: Unsupported runtime/;

/** Runs the server to its end; its exit code and what it wrote. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string[] }> {
  const [executable, ...args] = SERVER_COMMAND;
  const child = spawn(executable, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...NODE_ENV_BASE, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr.split("\n").filter((l) => l && !RUNTIME_NOTICE.test(l)) });
    }),
  );
}

/** Exit code 1, exactly one line on stderr (no stack trace) that matches `reason`, and never "listening". */
async function expectOneLineFailure(label: string, env: Record<string, string>, reason: RegExp): Promise<string> {
  const { code, stdout, stderr } = await runServer(env);
  console.log(`[figure] ${label}: exit ${code}, stderr: ${stderr.join(" | ")}`);
  expect(code).toBe(1);
  expect(stderr).toHaveLength(1);
  expect(stderr[0]).toMatch(/^workspace-auth failed to start: /);
  expect(stderr[0]).toMatch(reason);
  expect(stdout).not.toMatch(/workspace-auth listening/);
  return stderr[0];
}

describe("start-up failures", () => {
  let dir: string;
  beforeEach(() => (dir = tempDir("wa-startup-")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when the port is taken, then the server exits 1 with one line naming the address", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      await expectOneLineFailure("port in use", { DATABASE_URL: `file:${path.join(dir, "app.db")}`, PORT: String(port) }, new RegExp(`127\\.0\\.0\\.1:${port}.*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });

  test("when the port is free, then the same server listens (the twin of the case above)", async () => {
    const { startNode } = await import("../support/node-process.js");
    const node = await startNode("free port", { DATABASE_URL: `file:${path.join(dir, "app.db")}` });
    // Stopped the instant it says it listens: the signal handlers are in place by then.
    expect(await node.stop()).toBe(0);
  });

  test("when the SQLite file is not a database, then migrations fail and the server exits 1 with one line", async () => {
    const file = path.join(dir, "app.db");
    fs.writeFileSync(file, "this is a text file, not a SQLite database ".repeat(20));
    await expectOneLineFailure("SQLite file not a database", { DATABASE_URL: `file:${file}` }, /database: .*not a database/);
  });

  test("when the SQLite path is a folder, then the server exits 1 with one line", async () => {
    await expectOneLineFailure("SQLite path is a folder", { DATABASE_URL: `file:${dir}` }, /database: /);
  });

  (adminUrl ? test : test.skip)("when the PostgreSQL database does not exist, then the server exits 1 with one line (needs TEST_DATABASE_URL)", async () => {
    const url = withDatabase(adminUrl as string, "wa_no_such_database");
    await expectOneLineFailure("PostgreSQL database missing", { DATABASE_URL: url }, /database "wa_no_such_database" does not exist/);
  });

  (adminUrl ? test : test.skip)("when the PostgreSQL password is wrong, then one line says so and never shows the password (needs TEST_DATABASE_URL)", async () => {
    const db = await createPostgresDatabase(adminUrl as string);
    try {
      const url = new URL(db.url);
      url.password = "wrong-password-sekrit";
      const line = await expectOneLineFailure("PostgreSQL password wrong", { DATABASE_URL: url.toString() }, /password authentication failed/);
      expect(line).not.toMatch(/sekrit/);
    } finally {
      await db.drop();
    }
  });
});
