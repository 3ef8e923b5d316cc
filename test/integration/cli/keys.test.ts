import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { cliJson, onlyJson, runCli, SPAWN_TIMEOUT_MS, spawnCli } from "../../support/cli.js";
import { buildDist } from "../../support/compiled-cli.js";

const ISSUED_FIELDS = ["access", "expires_at", "id", "key", "prefix", "scopes", "workspace_id"];

describe("workspace-auth key commands against a running server", () => {
  let t: TestApp;
  let databaseUrl: string;
  let workspaceId: string;
  let ownerEmail: string;
  const cli = (args: string[], code = 0) => cliJson(args, { databaseUrl }, code);
  const call = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

  /** Polls the server until the key is refused; returns how long that took, or fails after `withinMs`. */
  async function refusedWithin(key: string, withinMs: number): Promise<number> {
    const start = Date.now();
    for (;;) {
      const res = await call(key);
      if (res.status === 401) {
        expect(res.body.error.code).toBe("invalid_api_key");
        return Date.now() - start;
      }
      expect(res.status).toBe(200);
      if (Date.now() - start > withinMs) throw new Error(`key still accepted after ${withinMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // The spawned runs start the compiled CLI; a stale dist/ is rebuilt once.
  beforeAll(() => buildDist(), 300_000);
  beforeAll(async () => {
    // The server and the CLI share one SQLite file; the server polls the change feed every 100 ms.
    t = await startTestApp({ CACHE_POLL_INTERVAL_MS: "100" });
    databaseUrl = t.config.databaseUrl;
    const owner = await makeUser(t.ctx);
    ownerEmail = owner.email;
    workspaceId = (await makeWorkspace(t.ctx, "Keys Inc", [{ userId: owner.id, role: "owner" }])).id;
  });
  afterAll(() => t.close());

  test("when a key is created, then it prints exactly { id, key, prefix, workspace_id, access, scopes, expires_at } and the key works on /v1", async () => {
    // A real process: the secret must not reach its log lines either.
    const run = await spawnCli(
      ["key", "create", "--workspace", workspaceId, "--name", "ci", "--access", "read_write", "--expires-in", "1h", "--json"],
      { databaseUrl },
    );
    expect(run.code).toBe(0);
    const out = onlyJson(run);
    expect(Object.keys(out).sort()).toEqual(ISSUED_FIELDS);
    expect(out).toMatchObject({ workspace_id: workspaceId, access: "read_write" });
    expect(out.key).toMatch(/^mrk_[0-9A-Za-z]{46}$/);
    expect(out.key.startsWith(out.prefix)).toBe(true);
    expect(Math.abs(Date.parse(out.expires_at) - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    expect(run.stderr).not.toContain(out.key);

    const res = await call(out.key).expect(200);
    expect(res.body).toEqual({ data: { id: workspaceId, name: "Keys Inc" } });
  }, SPAWN_TIMEOUT_MS);

  test("when a key is created without --expires-in, then expires_at is null; with 365d it is accepted", async () => {
    const forever = await cli(["key", "create", "--workspace", workspaceId, "--name", "forever", "--access", "read_only"]);
    expect(forever).toMatchObject({ access: "read_only", expires_at: null });
    const year = await cli(["key", "create", "--workspace", workspaceId, "--name", "year", "--access", "read_only", "--expires-in", "365d"]);
    expect(Date.parse(year.expires_at) - Date.now()).toBeGreaterThan(364 * 86_400_000);
  });

  test("when the workspace does not exist, then key create exits 1 with not_found", async () => {
    const out = await cli(["key", "create", "--workspace", "nope", "--name", "x", "--access", "read_only"], 1);
    expect(out.error).toEqual({ code: "not_found", message: "No such workspace." });
  });

  test("when --owner names a member, then the key shows that owner; when it names a non-member, then not_found", async () => {
    const out = await cli(["key", "create", "--workspace", workspaceId, "--name", "owned", "--access", "read_only", "--owner", ownerEmail]);
    const { keys } = await cli(["key", "list", "--workspace", workspaceId, "--search", "owned"]);
    expect(keys).toEqual([expect.objectContaining({ id: out.id, owner: { id: expect.any(String), email: ownerEmail } })]);

    const stranger = await makeUser(t.ctx);
    const refused = await cli(
      ["key", "create", "--workspace", workspaceId, "--name", "x", "--access", "read_only", "--owner", stranger.email],
      1,
    );
    expect(refused.error).toEqual({ code: "not_found", message: "No such workspace member." });
  });

  test("when a key is rotated, then the old secret is refused by the running server within 1 s and the new one works", async () => {
    const created = await cli(["key", "create", "--workspace", workspaceId, "--name", "rotating", "--access", "read_only"]);
    await call(created.key).expect(200); // now cached by the server

    const rotated = await cli(["key", "rotate", "--id", created.id]);
    expect(Object.keys(rotated).sort()).toEqual(ISSUED_FIELDS);
    expect(rotated).toMatchObject({ id: created.id, workspace_id: workspaceId, access: "read_only", expires_at: null });
    expect(rotated.key).not.toBe(created.key);

    await refusedWithin(created.key, 1000);
    await call(rotated.key).expect(200);
  });

  test("when a key is revoked, then it prints { id, status }, the server refuses it within 1 s, and revoking again succeeds", async () => {
    const created = await cli(["key", "create", "--workspace", workspaceId, "--name", "doomed", "--access", "read_write"]);
    await call(created.key).expect(200);

    expect(await cli(["key", "revoke", "--id", created.id])).toEqual({ id: created.id, status: "revoked" });
    await refusedWithin(created.key, 1000);
    expect(await cli(["key", "revoke", "--id", created.id])).toEqual({ id: created.id, status: "revoked" });
  });

  test("when a revoked key is rotated, then exit 1 with key_not_active and the key stays dead", async () => {
    const created = await cli(["key", "create", "--workspace", workspaceId, "--name", "revoked", "--access", "read_only"]);
    await cli(["key", "revoke", "--id", created.id]);
    const out = await cli(["key", "rotate", "--id", created.id], 1);
    expect(out).toEqual({ error: { code: "key_not_active", message: expect.any(String) } });
    await call(created.key).expect(401);
  });

  test("when an unknown key id is rotated or revoked, then exit 1 with not_found", async () => {
    expect((await cli(["key", "rotate", "--id", "nope"], 1)).error.code).toBe("not_found");
    expect((await cli(["key", "revoke", "--id", "nope"], 1)).error.code).toBe("not_found");
  });

  test("when a key expires after --expires-in 2s, then it works before and is refused after", async () => {
    const created = await cli(["key", "create", "--workspace", workspaceId, "--name", "brief", "--access", "read_only", "--expires-in", "2s"]);
    const msLeft = Date.parse(created.expires_at) - Date.now();
    if (msLeft > 200) await call(created.key).expect(200);
    await refusedWithin(created.key, msLeft + 1000);
  });

  test("when keys are listed, then it prints { keys } without any secret, and --search matches name, owner email and prefix", async () => {
    const other = await makeWorkspace(t.ctx, "Elsewhere", []);
    const mine = await cli(["key", "create", "--workspace", workspaceId, "--name", "Listed Key", "--access", "read_only", "--owner", ownerEmail]);
    const theirs = await cli(["key", "create", "--workspace", other.id, "--name", "Listed Key", "--access", "read_only"]);

    const run = await runCli(["key", "list", "--workspace", workspaceId, "--json"], { databaseUrl });
    expect(run.code).toBe(0);
    const { keys, ...rest } = onlyJson(run);
    expect(rest).toEqual({});
    expect(keys.map((k: { id: string }) => k.id)).toContain(mine.id);
    expect(keys.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
    expect(run.stdout).not.toContain(mine.key);
    expect(run.stdout).not.toMatch(/"(key|digest|secret)"/);
    expect(Object.keys(keys[0]).sort()).toEqual(
      [
        "access",
        "created_at",
        "expires_at",
        "expiring_soon",
        "id",
        "ip_allowlist",
        "last_used_at",
        "last_used_ip",
        "last_used_user_agent",
        "name",
        "owner",
        "prefix",
        "previous_secret_expires_at",
        "revoked_at",
        "revoked_reason",
        "revoked_reporter",
        "revoked_url",
        "rotated_at",
        "scopes",
        "status",
        "workspace_id",
        "workspace_name",
      ],
    );

    for (const search of ["listed KEY", ownerEmail.toUpperCase(), mine.prefix]) {
      const found = await cli(["key", "list", "--workspace", workspaceId, "--search", search]);
      expect(found.keys.map((k: { id: string }) => k.id)).toContain(mine.id);
    }
    expect(await cli(["key", "list", "--workspace", workspaceId, "--search", "no key has this"])).toEqual({ keys: [] });
  });

  test("when the workspace of key list does not exist, then exit 1 with not_found", async () => {
    expect((await cli(["key", "list", "--workspace", "nope"], 1)).error.code).toBe("not_found");
  });
});
