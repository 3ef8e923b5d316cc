import { startTestApp, type TestApp } from "../../support/app.js";
import { verifyPassword } from "../../../src/users/passwords.js";
import { cliJson, onlyJson, SPAWN_TIMEOUT_MS, spawnCli } from "../../support/cli.js";
import { buildDist } from "../../support/compiled-cli.js";

describe("workspace-auth user create", () => {
  let t: TestApp;
  let databaseUrl: string;

  // The spawned runs start the compiled CLI; a stale dist/ is rebuilt once.
  beforeAll(() => buildDist(), 300_000);
  beforeAll(async () => {
    t = await startTestApp();
    databaseUrl = t.config.databaseUrl;
  });
  afterAll(() => t.close());

  test("when a user is created, then it prints { id, email } and stores the lower-cased email with an Argon2id hash", async () => {
    const out = await cliJson(
      ["user", "create", "--email", "  Ada@Example.TEST ", "--password", "correct horse", "--name", "Ada"],
      { databaseUrl },
    );
    expect(out).toEqual({ id: expect.any(String), email: "ada@example.test" });
    const row = await t.ctx.db.user.findUniqueOrThrow({ where: { id: out.id } });
    expect(row).toMatchObject({ email: "ada@example.test", name: "Ada" });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(row.passwordHash, "correct horse", t.config.argon2)).toBe(true);
    expect(await verifyPassword(row.passwordHash, "correct horsE", t.config.argon2)).toBe(false);
  });

  test("when the email is taken in another case, then exit 1 with duplicate_email", async () => {
    const out = await cliJson(["user", "create", "--email", "ADA@example.test", "--password", "another one"], { databaseUrl }, 1);
    expect(out).toEqual({ error: { code: "duplicate_email", message: expect.any(String) } });
    expect(await t.ctx.db.user.count({ where: { email: "ada@example.test" } })).toBe(1);
  });

  test("when the password has 7 characters, then exit 1 with validation_failed and no user", async () => {
    const out = await cliJson(["user", "create", "--email", "short@example.test", "--password", "1234567"], { databaseUrl }, 1);
    expect(out.error.code).toBe("validation_failed");
    expect(await t.ctx.db.user.findUnique({ where: { email: "short@example.test" } })).toBeNull();
  });

  test("when the password has 8 characters, then the user is created", async () => {
    const out = await cliJson(["user", "create", "--email", "eight@example.test", "--password", "12345678"], { databaseUrl });
    expect(out.email).toBe("eight@example.test");
  });

  test("when the email is not an email address, then exit 1 with validation_failed", async () => {
    const out = await cliJson(["user", "create", "--email", "not-an-email", "--password", "12345678"], { databaseUrl }, 1);
    expect(out.error.code).toBe("validation_failed");
  });

  test("when the password comes on stdin, then it is read without its trailing newline and never printed", async () => {
    // A real process: the password must not reach its log lines either.
    const run = await spawnCli(["user", "create", "--email", "stdin@example.test", "--password-stdin", "--json"], {
      databaseUrl,
      stdin: "from standard input\n",
    });
    expect(run.code).toBe(0);
    const out = onlyJson(run);
    expect(out.email).toBe("stdin@example.test");
    expect(run.stdout + run.stderr).not.toContain("from standard input");
    const row = await t.ctx.db.user.findUniqueOrThrow({ where: { id: out.id } });
    expect(await verifyPassword(row.passwordHash, "from standard input", t.config.argon2)).toBe(true);
  }, SPAWN_TIMEOUT_MS);

  test("when stdin holds a password that is too short, then exit 1 with validation_failed", async () => {
    const out = await cliJson(["user", "create", "--email", "stdin2@example.test", "--password-stdin"], {
      databaseUrl,
      stdin: "short\n",
    }, 1);
    expect(out.error.code).toBe("validation_failed");
  });
});
