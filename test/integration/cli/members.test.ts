import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { createApiKey } from "../../../src/api-keys/create-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { cliJson, runCli } from "../../support/cli.js";
import { eventually } from "../../support/eventually.js";

describe("workspace-auth workspace members and remove-member --revoke-credentials", () => {
  let t: TestApp;
  let databaseUrl: string;
  const cli = (args: string[], code = 0) => cliJson(args, { databaseUrl }, code);
  const v1 = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

  beforeAll(async () => {
    t = await startTestApp();
    databaseUrl = t.config.databaseUrl;
  });
  afterAll(() => t.close());

  /** A workspace with an owner and an admin who owns a key. */
  async function world() {
    const [owner, admin] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
    const ws = await makeWorkspace(t.ctx, undefined, [
      { userId: owner.id, role: "owner" },
      { userId: admin.id, role: "admin" },
    ]);
    const made = await createApiKey(t.ctx.apiKeys, { workspaceId: ws.id, name: "admin's key", access: "read_only", ownerId: admin.id, expiresAt: null, actor: CLI });
    return { owner, admin, ws, key: made.key as string, keyId: made.apiKey.id };
  }

  test("when members are listed, then --json prints { data } with role and counts, and text one line each", async () => {
    const w = await world();
    const out = await cli(["workspace", "members", "--workspace", w.ws.id]);
    expect(out.data.map((m: { email: string; role: string; active_api_keys: number }) => [m.email, m.role, m.active_api_keys])).toEqual([
      [w.owner.email, "owner", 0],
      [w.admin.email, "admin", 1],
    ]);
    const text = await runCli(["workspace", "members", "--workspace", w.ws.id], { databaseUrl });
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split("\n")).toHaveLength(2);
    expect(text.stdout).toContain(`admin   ${w.admin.email}`);
    expect((await cli(["workspace", "members", "--workspace", "nope"], 1)).error.code).toBe("not_found");
    expect((await runCli(["workspace", "members"], { databaseUrl })).code).toBe(2);
  });

  test("when a member is removed with --revoke-credentials, then their keys are revoked in the same step and fail on /v1", async () => {
    const w = await world();
    await v1(w.key).expect(200);
    const out = await cli(["workspace", "remove-member", "--workspace", w.ws.id, "--email", w.admin.email, "--revoke-credentials"]);
    expect(out).toEqual({ id: expect.any(String), status: "removed", role: null, revoked_api_keys: [w.keyId], revoked_authorized_apps: [] });
    // The server's context hears of it through the change feed, as another process would.
    await eventually(async () => (await v1(w.key)).status === 401, 5_000, "the removed member's key to be refused");
    const revoked = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "api_key.revoked", targetId: w.keyId } });
    expect(revoked).toMatchObject({ actorType: "cli", actorLabel: "command line" });
    const removed = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "membership.removed", workspaceId: w.ws.id } });
    expect(JSON.parse(removed.details ?? "{}")).toEqual({ email: w.admin.email, role: "admin", revoked_api_keys: 1 });
  });

  test("when the last owner is removed with --revoke-credentials, then exit 1 with last_owner and nothing is revoked", async () => {
    const w = await world();
    await cli(["workspace", "remove-member", "--workspace", w.ws.id, "--email", w.admin.email]);
    const key = await createApiKey(t.ctx.apiKeys, { workspaceId: w.ws.id, name: "owner's", access: "read_only", ownerId: w.owner.id, expiresAt: null, actor: CLI });
    const out = await cli(["workspace", "remove-member", "--workspace", w.ws.id, "--email", w.owner.email, "--revoke-credentials"], 1);
    expect(out.error.code).toBe("last_owner");
    await v1(key.key as string).expect(200);
    // Without the flag the removed admin's key stays, as before.
    await v1(w.key).expect(200);
  });
});
