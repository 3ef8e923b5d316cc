import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../../support/app.js";
import { cliJson, onlyJson, runCli, SPAWN_TIMEOUT_MS, spawnCli } from "../../support/cli.js";
import { buildDist } from "../../support/compiled-cli.js";

describe("workspace-auth command line: output and exit codes", () => {
  let dir: string;
  let databaseUrl: string;

  // The spawned runs start the compiled CLI; a stale dist/ is rebuilt once.
  beforeAll(() => buildDist(), 300_000);
  beforeAll(() => {
    dir = tempDir("wa-cli-");
    databaseUrl = `file:${path.join(dir, "cli.db")}`;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when a command runs on a fresh database with --json, then migrations are applied, the log goes to stderr and stdout is one JSON object", async () => {
    const run = await spawnCli(["user", "create", "--email", "First@Example.test", "--password", "correct horse", "--json"], {
      databaseUrl,
    });
    expect(run.code).toBe(0);
    const out = onlyJson(run);
    expect(Object.keys(out).sort()).toEqual(["email", "id"]);
    expect(out.email).toBe("first@example.test");
    expect(run.stderr).toContain("applied database migrations");
    expect(run.stdout).not.toContain("migrations");
  }, SPAWN_TIMEOUT_MS);

  test("when db migrate runs on an up-to-date database, then it prints { applied: [] }", async () => {
    expect(await cliJson(["db", "migrate"], { databaseUrl })).toEqual({ applied: [] });
  });

  test("when db migrate runs on a fresh database, then it lists the migrations it applied", async () => {
    const fresh = `file:${path.join(dir, "fresh.db")}`;
    const out = await cliJson(["db", "migrate"], { databaseUrl: fresh });
    expect(out.applied.length).toBeGreaterThan(0);
    expect(out.applied.every((n: unknown) => typeof n === "string")).toBe(true);
  });

  test.each([
    ["an unknown option", ["user", "create", "--email", "x@example.test", "--password", "12345678", "--colour", "red"]],
    ["a missing --email", ["user", "create", "--password", "12345678"]],
    ["no password option", ["user", "create", "--email", "x@example.test"]],
    ["both password options", ["user", "create", "--email", "x@example.test", "--password", "12345678", "--password-stdin"]],
    ["an unknown command", ["user", "delete"]],
    ["no command at all", []],
    ["a role outside owner|admin|member", ["workspace", "add-member", "--workspace", "w", "--email", "x@example.test", "--role", "root"]],
    ["an access level that does not exist", ["key", "create", "--workspace", "w", "--name", "n", "--access", "admin"]],
    ["--expires-in 0s", ["key", "create", "--workspace", "w", "--name", "n", "--access", "read_only", "--expires-in", "0s"]],
    ["--expires-in 366d", ["key", "create", "--workspace", "w", "--name", "n", "--access", "read_only", "--expires-in", "366d"]],
    ["--expires-in 10w", ["key", "create", "--workspace", "w", "--name", "n", "--access", "read_only", "--expires-in", "10w"]],
    ["--expires-in -5m", ["key", "create", "--workspace", "w", "--name", "n", "--access", "read_only", "--expires-in=-5m"]],
    ["--expires-in 1.5h", ["key", "create", "--workspace", "w", "--name", "n", "--access", "read_only", "--expires-in", "1.5h"]],
  ])("when given %s with --json, then exit 2 and one usage_error object on stdout", async (_label, args) => {
    const out = await cliJson(args, { databaseUrl }, 2);
    expect(out).toEqual({ error: { code: "usage_error", message: expect.any(String) } });
  });

  test("when given a bad option without --json, then exit 2, nothing on stdout and one error line on stderr", async () => {
    const run = await spawnCli(["user", "create", "--email", "x@example.test", "--password", "12345678", "--colour"], {
      databaseUrl,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual(["error: unknown option '--colour'"]);
  }, SPAWN_TIMEOUT_MS);

  test("when a command fails without --json, then exit 1, nothing on stdout and one clear line on stderr", async () => {
    const run = await spawnCli(["key", "list", "--workspace", "no-such-workspace"], { databaseUrl });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    // Other stderr lines may be library warnings (oidc-provider's Node version notice), never a stack trace.
    const lines = run.stderr.trim().split("\n");
    expect(lines.filter((l) => l.includes("error"))).toEqual(["error: No such workspace. (not_found)"]);
    expect(lines.at(-1)).toBe("error: No such workspace. (not_found)");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, SPAWN_TIMEOUT_MS);

  test("when a command succeeds without --json, then it prints readable text, not JSON", async () => {
    const run = await runCli(["db", "migrate"], { databaseUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("Database is up to date.\n");
  });

  test("when the database cannot be opened, then exit 1 with one error line and no stack trace", async () => {
    const blocked = path.join(dir, "a-file");
    fs.writeFileSync(blocked, "");
    const run = await runCli(["key", "list", "--workspace", "w"], { databaseUrl: `file:${blocked}/x.db` });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n").at(-1)).toMatch(/^error: .* \(internal_error\)$/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test("when the configuration is invalid, then exit 1 with invalid_config", async () => {
    const out = await cliJson(["db", "migrate"], { databaseUrl: "mysql://nope" }, 1);
    expect(out.error.code).toBe("invalid_config");
    expect(out.error.message).toContain("DATABASE_URL");
  });

  test("when --json comes before the command, then it applies as well", async () => {
    const run = await runCli(["--json", "db", "migrate"], { databaseUrl });
    expect(run.code).toBe(0);
    expect(onlyJson(run)).toEqual({ applied: [] });
  });

  test("when --help is asked, then usage is printed and the exit code is 0", async () => {
    const run = await runCli(["key", "create", "--help"], { databaseUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--expires-in <duration>");
  });
});
