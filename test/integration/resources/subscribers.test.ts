import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { api, expectError, expectInsufficientScope, twoWorkspaces } from "../../support/resource-helpers.js";

let t: TestApp;
let ws: Awaited<ReturnType<typeof twoWorkspaces>>;
let n = 0;
const uniqueEmail = (label = "s") => `${label}-${n++}@example.test`;

beforeAll(async () => {
  t = await startTestApp();
  ws = await twoWorkspaces(t);
});
afterAll(() => t.close());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("subscribers: create, read, update, delete", () => {
  test("when a subscriber is created, then 201 returns its view and GET returns the same", async () => {
    const a = api(t, ws.a.rw);
    const created = await a
      .post("/v1/subscribers", { email: "Ada@Example.test", first_name: "Ada", last_name: "Lovelace", tags: ["VIP", "news"] })
      .expect(201);
    expect(created.body).toEqual({
      data: {
        id: expect.any(String),
        email: "Ada@Example.test",
        first_name: "Ada",
        last_name: "Lovelace",
        tags: ["news", "VIP"],
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
    const fetched = await a.get(`/v1/subscribers/${created.body.data.id}`).expect(200);
    expect(fetched.body).toEqual(created.body);
  });

  test("when only the email is sent, then names are null and tags empty", async () => {
    const res = await api(t, ws.a.rw).post("/v1/subscribers", { email: uniqueEmail() }).expect(201);
    expect(res.body.data).toMatchObject({ first_name: null, last_name: null, tags: [] });
  });

  test("when the email has surrounding spaces, then they are trimmed", async () => {
    const res = await api(t, ws.a.rw).post("/v1/subscribers", { email: "  spaced@example.test " }).expect(201);
    expect(res.body.data.email).toBe("spaced@example.test");
  });

  test("when unknown tag names are sent, then they are created once, case-insensitively, keeping existing spellings", async () => {
    const a = api(t, ws.a.rw);
    await a.post("/v1/tags", { name: "Weekly" }).expect(201);
    const res = await a
      .post("/v1/subscribers", { email: uniqueEmail(), tags: ["weekly", "Brand-New", "brand-new", "BRAND-NEW"] })
      .expect(201);
    expect(res.body.data.tags).toEqual(["Brand-New", "Weekly"]);
    const tags = await t.ctx.db.tag.findMany({ where: { workspaceId: ws.a.workspace.id, nameNormalized: "brand-new" } });
    expect(tags).toHaveLength(1);
  });

  test("when a subscriber is patched, then only the sent fields change and updated_at moves", async () => {
    const a = api(t, ws.a.rw);
    const created = await a
      .post("/v1/subscribers", { email: uniqueEmail(), first_name: "Grace", last_name: "Hopper", tags: ["a", "b"] })
      .expect(201);
    const { id, updated_at: before } = created.body.data;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await a.patch(`/v1/subscribers/${id}`, { first_name: "G." }).expect(200);
    expect(res.body.data).toMatchObject({ id, first_name: "G.", last_name: "Hopper", tags: ["a", "b"] });
    expect(res.body.data.updated_at > before).toBe(true);
    expect(res.body.data.created_at).toBe(created.body.data.created_at);
  });

  test("when PATCH sends tags, then they replace the whole tag set", async () => {
    const a = api(t, ws.a.rw);
    const { id } = (await a.post("/v1/subscribers", { email: uniqueEmail(), tags: ["x", "y"] }).expect(201)).body.data;
    const replaced = await a.patch(`/v1/subscribers/${id}`, { tags: ["z", "Y"] }).expect(200);
    expect(replaced.body.data.tags).toEqual(["y", "z"]);
    const cleared = await a.patch(`/v1/subscribers/${id}`, { tags: [] }).expect(200);
    expect(cleared.body.data.tags).toEqual([]);
    expect((await a.get(`/v1/subscribers/${id}`).expect(200)).body.data.tags).toEqual([]);
  });

  test("when PATCH changes only the tags, then updated_at still moves", async () => {
    const a = api(t, ws.a.rw);
    const created = (await a.post("/v1/subscribers", { email: uniqueEmail(), tags: ["before"] }).expect(201)).body.data;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await a.patch(`/v1/subscribers/${created.id}`, { tags: ["after"] }).expect(200);
    expect(res.body.data.updated_at > created.updated_at).toBe(true);
  });

  test("when PATCH sends null names, then they are cleared", async () => {
    const a = api(t, ws.a.rw);
    const { id } = (await a.post("/v1/subscribers", { email: uniqueEmail(), first_name: "F", last_name: "L" })).body.data;
    const res = await a.patch(`/v1/subscribers/${id}`, { first_name: null, last_name: null }).expect(200);
    expect(res.body.data).toMatchObject({ first_name: null, last_name: null });
  });

  test("when PATCH changes the email, then the new one is stored and the old one is free again", async () => {
    const a = api(t, ws.a.rw);
    const old = uniqueEmail("old");
    const { id } = (await a.post("/v1/subscribers", { email: old }).expect(201)).body.data;
    const res = await a.patch(`/v1/subscribers/${id}`, { email: "Renamed@Example.test" }).expect(200);
    expect(res.body.data.email).toBe("Renamed@Example.test");
    await a.post("/v1/subscribers", { email: old }).expect(201);
  });

  test("when PATCH changes only the case of the own email, then it succeeds", async () => {
    const a = api(t, ws.a.rw);
    const email = uniqueEmail("case");
    const { id } = (await a.post("/v1/subscribers", { email }).expect(201)).body.data;
    const res = await a.patch(`/v1/subscribers/${id}`, { email: email.toUpperCase() }).expect(200);
    expect(res.body.data.email).toBe(email.toUpperCase());
  });

  test("when a subscriber is deleted, then 204 has no body and it is gone, while its tags remain", async () => {
    const a = api(t, ws.a.rw);
    const { id } = (await a.post("/v1/subscribers", { email: uniqueEmail(), tags: ["kept-tag"] }).expect(201)).body.data;
    const res = await a.delete(`/v1/subscribers/${id}`).expect(204);
    expect(res.text).toBe("");
    expectError(await a.get(`/v1/subscribers/${id}`), 404, "invalid_request_error", "not_found");
    expectError(await a.delete(`/v1/subscribers/${id}`), 404, "invalid_request_error", "not_found");
    const tag = await t.ctx.db.tag.findFirst({ where: { workspaceId: ws.a.workspace.id, nameNormalized: "kept-tag" } });
    expect(tag).not.toBeNull();
  });
});

describe("subscribers: unique emails", () => {
  test("when an email already exists in another case, then POST is 409 duplicate_email", async () => {
    const a = api(t, ws.a.rw);
    await a.post("/v1/subscribers", { email: "dup@example.test" }).expect(201);
    expectError(await a.post("/v1/subscribers", { email: " DUP@Example.TEST" }), 409, "invalid_request_error", "duplicate_email");
  });

  test("when the same email is used in another workspace, then it is allowed", async () => {
    await api(t, ws.a.rw).post("/v1/subscribers", { email: "shared@example.test" }).expect(201);
    await api(t, ws.b.rw).post("/v1/subscribers", { email: "Shared@example.test" }).expect(201);
  });

  test("when PATCH takes another subscriber's email, then it is 409 duplicate_email and nothing changes", async () => {
    const a = api(t, ws.a.rw);
    const taken = uniqueEmail("taken");
    await a.post("/v1/subscribers", { email: taken }).expect(201);
    const { id, email } = (await a.post("/v1/subscribers", { email: uniqueEmail() }).expect(201)).body.data;
    const res = await a.patch(`/v1/subscribers/${id}`, { email: taken.toUpperCase(), tags: ["should-not-stick"] });
    expectError(res, 409, "invalid_request_error", "duplicate_email");
    const after = (await a.get(`/v1/subscribers/${id}`).expect(200)).body.data;
    expect(after).toMatchObject({ email, tags: [] });
  });

  test("when the same new email is posted concurrently, then exactly one is created and the rest are 409", async () => {
    const a = api(t, ws.a.rw);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        a.post("/v1/subscribers", { email: i % 2 ? "RACE@example.test" : "race@Example.test", tags: ["race-tag"] }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, "invalid_request_error", "duplicate_email");
  });

  test("when a failed create carried new tags, then the transaction leaves no tag behind", async () => {
    const a = api(t, ws.a.rw);
    const email = uniqueEmail("atomic");
    await a.post("/v1/subscribers", { email }).expect(201);
    await a.post("/v1/subscribers", { email, tags: ["orphan-candidate"] }).expect(409);
    const tag = await t.ctx.db.tag.findFirst({ where: { workspaceId: ws.a.workspace.id, nameNormalized: "orphan-candidate" } });
    expect(tag).toBeNull();
  });

  test("when subscribers with the same new tag are created concurrently, then all succeed and the tag exists once", async () => {
    const a = api(t, ws.a.rw);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => a.post("/v1/subscribers", { email: uniqueEmail("tagrace"), tags: ["Concurrent"] })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(await t.ctx.db.tag.count({ where: { workspaceId: ws.a.workspace.id, nameNormalized: "concurrent" } })).toBe(1);
  });
});

describe("subscribers: the page", () => {
  test("when a page is read, then each subscriber on it is exactly the view GET /v1/subscribers/:id gives", async () => {
    const { workspace, rw } = (await twoWorkspaces(t)).a;
    const a = api(t, rw);
    const bodies = [
      { email: "plain@example.test" },
      { email: "names@example.test", first_name: 'Zoë "Q" \\ O\'Brien', last_name: "☃ 😀", tags: ["zeta", "Äpfel", "alpha", "VIP"] },
      { email: "one-tag@example.test", first_name: null, last_name: "Only", tags: ["news"] },
      { email: "whole-second@example.test", tags: ["a", "b"] },
    ];
    const ids: string[] = [];
    for (const body of bodies) ids.push((await a.post("/v1/subscribers", body).expect(201)).body.data.id);
    // A date-time on a whole second (PostgreSQL's own text drops the trailing zeros) and one from another year.
    await t.ctx.db.subscriber.update({ where: { id: ids[3] }, data: { createdAt: new Date("2031-02-03T04:05:06.000Z") } });
    await t.ctx.db.subscriber.update({ where: { id: ids[2] }, data: { createdAt: new Date("1999-12-31T23:59:59.999Z") } });

    const page = await a.get("/v1/subscribers?limit=3").expect(200);
    const rest = await a.get(`/v1/subscribers?limit=3&cursor=${encodeURIComponent(page.body.next_cursor)}`).expect(200);
    const listed = [...page.body.data, ...rest.body.data];
    expect(listed.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[1], ids[0], ids[2]]);
    for (const subscriber of listed) expect(subscriber).toEqual((await a.get(`/v1/subscribers/${subscriber.id}`).expect(200)).body.data);
    expect(listed[0]).toMatchObject({ created_at: "2031-02-03T04:05:06.000Z", tags: ["a", "b"] });
    expect(listed[1].tags).toEqual(["alpha", "Äpfel", "VIP", "zeta"]);
    expect([page.body.has_more, rest.body.has_more, rest.body.next_cursor]).toEqual([true, false, null]);
    expect(await t.ctx.db.subscriber.count({ where: { workspaceId: workspace.id } })).toBe(4);
  });

  test("when the workspace has no subscriber, then the page is empty", async () => {
    const { rw } = (await twoWorkspaces(t)).b;
    const res = await api(t, rw).get("/v1/subscribers").expect(200);
    expect(res.body).toEqual({ data: [], has_more: false, next_cursor: null });
  });
});

describe("subscribers: workspace isolation", () => {
  let foreignId: string;
  let ownId: string;
  beforeAll(async () => {
    foreignId = (await api(t, ws.b.rw).post("/v1/subscribers", { email: uniqueEmail("b"), first_name: "Bee" }).expect(201))
      .body.data.id;
    ownId = (await api(t, ws.a.rw).post("/v1/subscribers", { email: uniqueEmail("a") }).expect(201)).body.data.id;
  });

  test("when A reads its own subscriber, then 200; when A reads B's, then the same 404 as a missing or malformed id", async () => {
    const a = api(t, ws.a.rw);
    await a.get(`/v1/subscribers/${ownId}`).expect(200);
    const foreign = await a.get(`/v1/subscribers/${foreignId}`);
    const missing = await a.get("/v1/subscribers/cmissing000000000000000000");
    const malformed = await a.get("/v1/subscribers/%27%20OR%201%3D1--");
    for (const res of [foreign, missing, malformed]) expectError(res, 404, "invalid_request_error", "not_found");
    expect(foreign.body).toEqual(missing.body);
    expect(malformed.body).toEqual(missing.body);
  });

  test("when A patches its own subscriber, then 200; when A patches B's, then 404 and B's is unchanged", async () => {
    const a = api(t, ws.a.rw);
    await a.patch(`/v1/subscribers/${ownId}`, { first_name: "Mine" }).expect(200);
    expectError(await a.patch(`/v1/subscribers/${foreignId}`, { first_name: "Hijacked", tags: ["evil"] }), 404, "invalid_request_error", "not_found");
    const b = await api(t, ws.b.rw).get(`/v1/subscribers/${foreignId}`).expect(200);
    expect(b.body.data).toMatchObject({ first_name: "Bee", tags: [] });
    expect(await t.ctx.db.tag.count({ where: { workspaceId: ws.a.workspace.id, nameNormalized: "evil" } })).toBe(0);
  });

  test("when A deletes B's subscriber, then 404 and it still exists; when A deletes its own, then 204", async () => {
    const a = api(t, ws.a.rw);
    expectError(await a.delete(`/v1/subscribers/${foreignId}`), 404, "invalid_request_error", "not_found");
    await api(t, ws.b.rw).get(`/v1/subscribers/${foreignId}`).expect(200);
    await a.delete(`/v1/subscribers/${ownId}`).expect(204);
  });

  test("when A lists subscribers, then none of B's appear, and B's list holds B's", async () => {
    const ids = async (key: string) => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const path: string = `/v1/subscribers?limit=100${cursor ? `&cursor=${cursor}` : ""}`;
        const res = await api(t, key).get(path).expect(200);
        all.push(...res.body.data.map((s: { id: string }) => s.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      return all;
    };
    expect(await ids(ws.a.rw)).not.toContain(foreignId);
    expect(await ids(ws.b.rw)).toContain(foreignId);
  });

  test("when A passes a cursor made from B's newest subscriber, then still only A's subscribers are listed", async () => {
    const row = await t.ctx.db.subscriber.findUniqueOrThrow({ where: { id: foreignId } });
    const cursor = Buffer.from(`${row.createdAt.getTime() + 60_000}:${row.id}`).toString("base64url");
    const res = await api(t, ws.a.rw).get(`/v1/subscribers?cursor=${cursor}`).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const s of res.body.data) expect(s.id).not.toBe(foreignId);
  });
});

describe("subscribers: access levels", () => {
  let id: string;
  beforeAll(async () => {
    id = (await api(t, ws.a.rw).post("/v1/subscribers", { email: uniqueEmail("scoped") }).expect(201)).body.data.id;
  });

  test("when a read_only key lists or reads, then 200", async () => {
    const ro = api(t, ws.a.ro);
    await ro.get("/v1/subscribers").expect(200);
    await ro.get(`/v1/subscribers/${id}`).expect(200);
  });

  test("when a read_only key creates, then 403 insufficient_scope and nothing is created; read_write creates", async () => {
    const email = uniqueEmail("ro");
    expectInsufficientScope(await api(t, ws.a.ro).post("/v1/subscribers", { email }), "subscribers:write");
    expect(await t.ctx.db.subscriber.count({ where: { emailNormalized: email } })).toBe(0);
    await api(t, ws.a.rw).post("/v1/subscribers", { email }).expect(201);
  });

  test("when a read_only key patches, then 403 and nothing changes; read_write patches", async () => {
    expectInsufficientScope(await api(t, ws.a.ro).patch(`/v1/subscribers/${id}`, { first_name: "No" }), "subscribers:write");
    expect((await api(t, ws.a.ro).get(`/v1/subscribers/${id}`)).body.data.first_name).toBeNull();
    await api(t, ws.a.rw).patch(`/v1/subscribers/${id}`, { first_name: "Yes" }).expect(200);
  });

  test("when a read_only key deletes, then 403 and it remains; read_write deletes", async () => {
    expectInsufficientScope(await api(t, ws.a.ro).delete(`/v1/subscribers/${id}`), "subscribers:write");
    await api(t, ws.a.ro).get(`/v1/subscribers/${id}`).expect(200);
    await api(t, ws.a.rw).delete(`/v1/subscribers/${id}`).expect(204);
  });

  test("when no credential is sent, then 401 missing_credentials", async () => {
    expectError(await request(t.app).get("/v1/subscribers"), 401, "authentication_error", "missing_credentials");
  });
});
