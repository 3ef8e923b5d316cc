import { CLI } from "../../../src/audit/audit-log.js";
import { createKeyOnce } from "../../../src/api-keys/create-key-once.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeWorkspace } from "../../support/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("creating a key once per form token", () => {
  test("when many submits of one token race, then one key is created, one result has the secret, none fails", async () => {
    const ws = await makeWorkspace(t.ctx);
    const input = { workspaceId: ws.id, name: "raced", access: "read_only" as const, actor: CLI, idempotencyKey: `race-${ws.id}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => createKeyOnce(t.ctx.apiKeys, input)));
    expect(results.filter((r) => r.key !== null)).toHaveLength(1);
    expect(new Set(results.map((r) => r.apiKey.id)).size).toBe(1);
    expect(await t.ctx.db.apiKey.count({ where: { workspaceId: ws.id } })).toBe(1);
  });

  test("when a token is reused for another workspace, then it is a 409 and no key is made there", async () => {
    const [a, b] = [await makeWorkspace(t.ctx), await makeWorkspace(t.ctx)];
    const input = { name: "reused", access: "read_only" as const, actor: CLI, idempotencyKey: `reuse-${a.id}` };
    await createKeyOnce(t.ctx.apiKeys, { ...input, workspaceId: a.id });
    await expect(createKeyOnce(t.ctx.apiKeys, { ...input, workspaceId: b.id })).rejects.toMatchObject({ status: 409, code: "idempotency_key_reused" });
    expect(await t.ctx.db.apiKey.count({ where: { workspaceId: b.id } })).toBe(0);
  });
});
