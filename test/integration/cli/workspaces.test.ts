import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { cliJson } from "../../support/cli.js";

describe("workspace-auth workspace commands", () => {
  let t: TestApp;
  let databaseUrl: string;
  const cli = (args: string[], code = 0) => cliJson(args, { databaseUrl }, code);

  const auditOf = async (workspaceId: string, action: string) =>
    (await t.ctx.db.auditEvent.findMany({ where: { workspaceId, action }, orderBy: { createdAt: "asc" } })).map((e) => ({
      actorType: e.actorType,
      targetType: e.targetType,
      targetId: e.targetId,
      details: JSON.parse(e.details ?? "null"),
    }));

  beforeAll(async () => {
    t = await startTestApp();
    databaseUrl = t.config.databaseUrl;
  });
  afterAll(() => t.close());

  test("when a workspace is created, then it prints { id, name }, its owner is a member and both events are audited", async () => {
    const owner = await makeUser(t.ctx);
    const out = await cli(["workspace", "create", "--name", "Acme", "--owner", owner.email.toUpperCase()]);
    expect(out).toEqual({ id: expect.any(String), name: "Acme" });
    const membership = await t.ctx.db.membership.findFirstOrThrow({ where: { workspaceId: out.id } });
    expect(membership).toMatchObject({ userId: owner.id, role: "owner" });
    expect(await auditOf(out.id, "workspace.created")).toEqual([
      { actorType: "cli", targetType: "workspace", targetId: out.id, details: { name: "Acme", owner: owner.email } },
    ]);
    expect(await auditOf(out.id, "membership.added")).toEqual([
      { actorType: "cli", targetType: "membership", targetId: membership.id, details: { email: owner.email, role: "owner" } },
    ]);
  });

  test("when the owner has no account, then exit 1 with not_found and no workspace", async () => {
    const before = await t.ctx.db.workspace.count();
    const out = await cli(["workspace", "create", "--name", "Ghost", "--owner", "nobody@example.test"], 1);
    expect(out.error.code).toBe("not_found");
    expect(await t.ctx.db.workspace.count()).toBe(before);
  });

  test("when a member is added, then it prints { id, status } and the change is audited", async () => {
    const owner = await makeUser(t.ctx);
    const user = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [{ userId: owner.id, role: "owner" }]);
    const out = await cli(["workspace", "add-member", "--workspace", ws.id, "--email", user.email, "--role", "admin"]);
    expect(out).toEqual({ id: expect.any(String), status: "active" });
    expect(await t.ctx.db.membership.findUniqueOrThrow({ where: { id: out.id } })).toMatchObject({
      workspaceId: ws.id,
      userId: user.id,
      role: "admin",
    });
    expect(await auditOf(ws.id, "membership.added")).toEqual([
      { actorType: "cli", targetType: "membership", targetId: out.id, details: { email: user.email, role: "admin" } },
    ]);
  });

  test("when the user is already a member, then exit 1 with already_member", async () => {
    const owner = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [{ userId: owner.id, role: "owner" }]);
    const out = await cli(["workspace", "add-member", "--workspace", ws.id, "--email", owner.email, "--role", "member"], 1);
    expect(out.error.code).toBe("already_member");
  });

  test("when the workspace does not exist, then add-member, set-role and remove-member exit 1 with not_found", async () => {
    const user = await makeUser(t.ctx);
    for (const args of [
      ["workspace", "add-member", "--workspace", "nope", "--email", user.email, "--role", "member"],
      ["workspace", "set-role", "--workspace", "nope", "--email", user.email, "--role", "member"],
      ["workspace", "remove-member", "--workspace", "nope", "--email", user.email],
    ]) {
      expect((await cli(args, 1)).error).toEqual({ code: "not_found", message: "No such workspace." });
    }
  });

  test("when the user is not a member, then set-role and remove-member exit 1 with not_found", async () => {
    const owner = await makeUser(t.ctx);
    const stranger = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [{ userId: owner.id, role: "owner" }]);
    const setRole = await cli(["workspace", "set-role", "--workspace", ws.id, "--email", stranger.email, "--role", "admin"], 1);
    expect(setRole.error).toEqual({ code: "not_found", message: "No such workspace member." });
    const remove = await cli(["workspace", "remove-member", "--workspace", ws.id, "--email", stranger.email], 1);
    expect(remove.error).toEqual({ code: "not_found", message: "No such workspace member." });
  });

  test("when a role is changed, then it prints { id, status } and the change is audited with the previous role", async () => {
    const owner = await makeUser(t.ctx);
    const user = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [
      { userId: owner.id, role: "owner" },
      { userId: user.id, role: "member" },
    ]);
    const out = await cli(["workspace", "set-role", "--workspace", ws.id, "--email", user.email, "--role", "admin"]);
    const membership = await t.ctx.db.membership.findFirstOrThrow({ where: { workspaceId: ws.id, userId: user.id } });
    expect(out).toEqual({ id: membership.id, status: "active" });
    expect(membership.role).toBe("admin");
    expect(await auditOf(ws.id, "membership.role_changed")).toEqual([
      {
        actorType: "cli",
        targetType: "membership",
        targetId: membership.id,
        details: { email: user.email, role: "admin", previous_role: "member" },
      },
    ]);
  });

  test("when the only owner is demoted or removed, then exit 1 with last_owner and nothing changes", async () => {
    const owner = await makeUser(t.ctx);
    const admin = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [
      { userId: owner.id, role: "owner" },
      { userId: admin.id, role: "admin" },
    ]);
    const demote = await cli(["workspace", "set-role", "--workspace", ws.id, "--email", owner.email, "--role", "admin"], 1);
    expect(demote.error.code).toBe("last_owner");
    const remove = await cli(["workspace", "remove-member", "--workspace", ws.id, "--email", owner.email], 1);
    expect(remove.error.code).toBe("last_owner");
    expect(await t.ctx.db.membership.findFirst({ where: { workspaceId: ws.id, userId: owner.id } })).toMatchObject({
      role: "owner",
    });
    expect(await t.ctx.db.auditEvent.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  test("when another owner exists, then an owner can be demoted and then removed, both audited", async () => {
    const owner = await makeUser(t.ctx);
    const second = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [
      { userId: owner.id, role: "owner" },
      { userId: second.id, role: "owner" },
    ]);
    await cli(["workspace", "set-role", "--workspace", ws.id, "--email", owner.email, "--role", "member"]);
    const out = await cli(["workspace", "remove-member", "--workspace", ws.id, "--email", owner.email]);
    expect(out).toEqual({ id: expect.any(String), status: "removed" });
    expect(await t.ctx.db.membership.findMany({ where: { workspaceId: ws.id } })).toEqual([
      expect.objectContaining({ userId: second.id, role: "owner" }),
    ]);
    expect(await auditOf(ws.id, "membership.removed")).toEqual([
      { actorType: "cli", targetType: "membership", targetId: out.id, details: { email: owner.email, role: "member" } },
    ]);
    // And the survivor is now the last owner.
    const last = await cli(["workspace", "remove-member", "--workspace", ws.id, "--email", second.email], 1);
    expect(last.error.code).toBe("last_owner");
  });

  test("when a member who created a key is removed, then the key still works and is still listed", async () => {
    const owner = await makeUser(t.ctx);
    const creator = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, undefined, [
      { userId: owner.id, role: "owner" },
      { userId: creator.id, role: "admin" },
    ]);
    const created = await cli(
      ["key", "create", "--workspace", ws.id, "--name", "made by a leaver", "--access", "read_only", "--owner", creator.email],
    );
    await cli(["workspace", "remove-member", "--workspace", ws.id, "--email", creator.email]);

    await request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${created.key}`).expect(200);
    const { keys } = await cli(["key", "list", "--workspace", ws.id]);
    expect(keys).toEqual([expect.objectContaining({ id: created.id, status: "active", owner: { id: creator.id, email: creator.email } })]);
  });
});
