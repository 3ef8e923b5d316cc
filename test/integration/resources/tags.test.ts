import { startTestApp, type TestApp } from "../../support/app.js";
import { api, expectError, expectInsufficientScope, twoWorkspaces } from "../../support/resource-helpers.js";

let t: TestApp;
let ws: Awaited<ReturnType<typeof twoWorkspaces>>;
let n = 0;
const uniqueName = (label = "tag") => `${label}-${n++}`;

beforeAll(async () => {
  t = await startTestApp();
  ws = await twoWorkspaces(t);
});
afterAll(() => t.close());

describe("tags: create, list, delete", () => {
  test("when a tag is created, then 201 returns { id, name, created_at } and it is listed first", async () => {
    const a = api(t, ws.a.rw);
    const res = await a.post("/v1/tags", { name: "  Newsletter " }).expect(201);
    expect(res.body).toEqual({
      data: { id: expect.any(String), name: "Newsletter", created_at: expect.stringMatching(/Z$/) },
    });
    const list = await a.get("/v1/tags").expect(200);
    expect(list.body.data[0]).toEqual(res.body.data);
  });

  test("when a name exists in another case, then 409 duplicate_tag", async () => {
    const a = api(t, ws.a.rw);
    await a.post("/v1/tags", { name: "Promo" }).expect(201);
    expectError(await a.post("/v1/tags", { name: "PROMO" }), 409, "invalid_request_error", "duplicate_tag");
  });

  test("when the same name is created concurrently, then one 201 and the rest 409", async () => {
    const a = api(t, ws.a.rw);
    const results = await Promise.all(["Race", "race", "RACE", "rAcE"].map((name) => a.post("/v1/tags", { name })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  test("when the same name is used in another workspace, then it is allowed", async () => {
    await api(t, ws.a.rw).post("/v1/tags", { name: "Everywhere" }).expect(201);
    await api(t, ws.b.rw).post("/v1/tags", { name: "everywhere" }).expect(201);
  });

  test("when a tag is deleted, then 204 with no body, it leaves every subscriber, and its name is free again", async () => {
    const a = api(t, ws.a.rw);
    const name = uniqueName("doomed");
    const tag = (await a.post("/v1/tags", { name }).expect(201)).body.data;
    const sub = (await a.post("/v1/subscribers", { email: `${name}@example.test`, tags: [name, "stays"] }).expect(201)).body
      .data;
    const res = await a.delete(`/v1/tags/${tag.id}`).expect(204);
    expect(res.text).toBe("");
    expect((await a.get(`/v1/subscribers/${sub.id}`).expect(200)).body.data.tags).toEqual(["stays"]);
    expectError(await a.delete(`/v1/tags/${tag.id}`), 404, "invalid_request_error", "not_found");
    await a.post("/v1/tags", { name }).expect(201);
  });

  test("when a tag id is missing or malformed, then 404 not_found", async () => {
    const a = api(t, ws.a.rw);
    expectError(await a.delete("/v1/tags/cnothere0000000000000000"), 404, "invalid_request_error", "not_found");
    expectError(await a.delete("/v1/tags/%00%22%7B%7D"), 404, "invalid_request_error", "not_found");
  });
});

describe("tags: workspace isolation", () => {
  test("when A deletes its own tag, then 204; when A deletes B's, then 404 like a missing one and B keeps it", async () => {
    const a = api(t, ws.a.rw);
    const own = (await a.post("/v1/tags", { name: uniqueName() }).expect(201)).body.data;
    const foreign = (await api(t, ws.b.rw).post("/v1/tags", { name: uniqueName("b") }).expect(201)).body.data;
    const denied = await a.delete(`/v1/tags/${foreign.id}`);
    const missing = await a.delete("/v1/tags/cnothere0000000000000000");
    expectError(denied, 404, "invalid_request_error", "not_found");
    expect(denied.body).toEqual(missing.body);
    expect(await t.ctx.db.tag.findUnique({ where: { id: foreign.id } })).not.toBeNull();
    await a.delete(`/v1/tags/${own.id}`).expect(204);
  });

  test("when A lists tags, then B's are absent, and B sees its own", async () => {
    const foreign = (await api(t, ws.b.rw).post("/v1/tags", { name: uniqueName("b-only") }).expect(201)).body.data;
    const aList = await api(t, ws.a.ro).get("/v1/tags?limit=100").expect(200);
    expect(aList.body.data.map((x: { id: string }) => x.id)).not.toContain(foreign.id);
    const bList = await api(t, ws.b.ro).get("/v1/tags?limit=100").expect(200);
    expect(bList.body.data.map((x: { id: string }) => x.id)).toContain(foreign.id);
  });

  test("when A tags a subscriber with a name B already has, then A gets its own tag", async () => {
    const name = uniqueName("both");
    const bTag = (await api(t, ws.b.rw).post("/v1/tags", { name }).expect(201)).body.data;
    await api(t, ws.a.rw).post("/v1/subscribers", { email: `${name}@example.test`, tags: [name] }).expect(201);
    const aTag = await t.ctx.db.tag.findFirst({ where: { workspaceId: ws.a.workspace.id, nameNormalized: name } });
    expect(aTag?.id).toBeDefined();
    expect(aTag?.id).not.toBe(bTag.id);
  });
});

describe("tags: access levels", () => {
  test("when a read_only key lists tags, then 200", async () => {
    await api(t, ws.a.ro).get("/v1/tags").expect(200);
  });

  test("when a read_only key creates a tag, then 403 insufficient_scope; read_write creates it", async () => {
    const name = uniqueName("ro");
    expectInsufficientScope(await api(t, ws.a.ro).post("/v1/tags", { name }), "tags:write");
    expect(await t.ctx.db.tag.count({ where: { nameNormalized: name } })).toBe(0);
    await api(t, ws.a.rw).post("/v1/tags", { name }).expect(201);
  });

  test("when a read_only key deletes a tag, then 403 and it remains; read_write deletes it", async () => {
    const tag = (await api(t, ws.a.rw).post("/v1/tags", { name: uniqueName() }).expect(201)).body.data;
    expectInsufficientScope(await api(t, ws.a.ro).delete(`/v1/tags/${tag.id}`), "tags:write");
    expect(await t.ctx.db.tag.findUnique({ where: { id: tag.id } })).not.toBeNull();
    await api(t, ws.a.rw).delete(`/v1/tags/${tag.id}`).expect(204);
  });
});
