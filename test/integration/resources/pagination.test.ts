import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeWorkspace } from "../../support/fixtures.js";
import { api, expectError } from "../../support/resource-helpers.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface Item {
  id: string;
  created_at: string;
}

/** A fresh workspace and read_write key, so counts are exact. */
async function freshKey() {
  const workspace = await makeWorkspace(t.ctx);
  return { workspace, key: (await makeKey(t.ctx, workspace.id, "read_write")).key };
}

/** Follows next_cursor to the end; returns every page's body. */
async function allPages(key: string, path: string, limit: number) {
  const pages: { data: Item[]; has_more: boolean; next_cursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await api(t, key).get(`${path}?${query}`).expect(200);
    pages.push(res.body);
    cursor = res.body.next_cursor;
  } while (cursor && pages.length < 50);
  return pages;
}

const newestFirst = (a: Item, b: Item) =>
  a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;

describe.each([
  { path: "/v1/subscribers", body: (i: number) => ({ email: `p${i}@example.test` }) },
  { path: "/v1/tags", body: (i: number) => ({ name: `tag-${i}` }) },
])("pagination of $path", ({ path, body }) => {
  let key: string;
  let createdIds: string[];
  beforeAll(async () => {
    ({ key } = await freshKey());
    createdIds = [];
    for (let i = 0; i < 25; i++) createdIds.push((await api(t, key).post(path, body(i)).expect(201)).body.data.id);
  });

  test("when 25 items are paged 10 at a time, then 3 pages hold each item exactly once, newest first", async () => {
    const pages = await allPages(key, path, 10);
    expect(pages.map((p) => p.data.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages[2].next_cursor).toBeNull();
    const items = pages.flatMap((p) => p.data);
    expect(new Set(items.map((i) => i.id)).size).toBe(25);
    expect(items.map((i) => i.id).sort()).toEqual([...createdIds].sort());
    expect(items).toEqual([...items].sort(newestFirst));
    expect(items[0].id).toBe(createdIds[24]);
  });

  test("when no limit is given, then 20 items come back with has_more", async () => {
    const res = await api(t, key).get(path).expect(200);
    expect(res.body.data).toHaveLength(20);
    expect(res.body.has_more).toBe(true);
    expect(typeof res.body.next_cursor).toBe("string");
  });

  test("when the limit covers everything, then has_more is false and next_cursor null", async () => {
    const res = await api(t, key).get(`${path}?limit=100`).expect(200);
    expect(res.body).toEqual({ data: expect.any(Array), has_more: false, next_cursor: null });
    expect(res.body.data).toHaveLength(25);
  });

  test("when the limit is exactly the count, then has_more is false", async () => {
    const res = await api(t, key).get(`${path}?limit=25`).expect(200);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  test.each(["1", "100"])("when limit is %s, then it is accepted", async (limit) => {
    const res = await api(t, key).get(`${path}?limit=${limit}`).expect(200);
    expect(res.body.data).toHaveLength(Math.min(Number(limit), 25));
  });

  test.each(["0", "101", "-1", "abc", "1.5", "", "1e2", " 5", "99999999999999999999"])(
    "when limit is %j, then 422 validation_failed",
    async (limit) => {
      expectError(await api(t, key).get(`${path}?limit=${encodeURIComponent(limit)}`), 422, "invalid_request_error", "validation_failed");
    },
  );

  test("when limit is repeated, then 422", async () => {
    expectError(await api(t, key).get(`${path}?limit=1&limit=2`), 422, "invalid_request_error", "validation_failed");
  });

  test.each([
    "not-base64!",
    Buffer.from("hello").toString("base64url"),
    Buffer.from("123:").toString("base64url"),
    Buffer.from("abc:cid").toString("base64url"),
    Buffer.from("9999999999999999:cid").toString("base64url"),
    Buffer.from("1:id with spaces").toString("base64url"),
    "A".repeat(300),
  ])("when the cursor is malformed (%s), then 422", async (cursor) => {
    const res = await api(t, key).get(`${path}?cursor=${encodeURIComponent(cursor)}`);
    expectError(res, 422, "invalid_request_error", "validation_failed");
    expect(res.body.error.message).toContain("cursor");
  });

  test("when an unknown query parameter is sent, then 422 naming it", async () => {
    const res = await api(t, key).get(`${path}?limit=5&sort=asc`);
    expectError(res, 422, "invalid_request_error", "validation_failed");
    expect(res.body.error.message).toContain("sort");
  });

  test("when workspace_id is in the query, then 400 workspace_id_not_allowed", async () => {
    expectError(await api(t, key).get(`${path}?workspace_id=x`), 400, "invalid_request_error", "workspace_id_not_allowed");
  });
});

describe("pagination with equal creation times", () => {
  test("when many subscribers share one created_at, then paging by 5 still visits each exactly once", async () => {
    const { workspace, key } = await freshKey();
    const createdAt = new Date("2030-01-01T00:00:00.000Z");
    for (let i = 0; i < 13; i++) {
      await t.ctx.db.subscriber.create({
        data: { workspaceId: workspace.id, email: `tie${i}@example.test`, emailNormalized: `tie${i}@example.test`, createdAt },
      });
    }
    const pages = await allPages(key, "/v1/subscribers", 5);
    expect(pages.map((p) => p.data.length)).toEqual([5, 5, 3]);
    const ids = pages.flatMap((p) => p.data.map((s) => s.id));
    expect(new Set(ids).size).toBe(13);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  test("when tags share one created_at, then paging by 4 still visits each exactly once", async () => {
    const { workspace, key } = await freshKey();
    const createdAt = new Date("2030-01-01T00:00:00.000Z");
    for (let i = 0; i < 9; i++) {
      await t.ctx.db.tag.create({ data: { workspaceId: workspace.id, name: `t${i}`, nameNormalized: `t${i}`, createdAt } });
    }
    const ids = (await allPages(key, "/v1/tags", 4)).flatMap((p) => p.data.map((s) => s.id));
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(9);
  });
});
