import request from "supertest";
import { createApiKey } from "../../../src/api-keys/create-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { V1_SCOPES, type V1Scope } from "../../../src/scopes/scopes.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeWorkspace } from "../../support/fixtures.js";

/** Every /v1 route with the scope it needs (null: any valid credential) and how to call it. */
interface Route {
  name: string;
  scope: V1Scope | null;
  call(key: string): Promise<request.Response>;
}

let t: TestApp;
let workspaceId: string;
let admin: string;
let counter = 0;
const auth = (key: string) => `Bearer ${key}`;

/** A subscriber or tag made with a full key, so every allowed write has its own target. */
async function freshSubscriber(): Promise<string> {
  const res = await request(t.app).post("/v1/subscribers").set("Authorization", auth(admin)).send({ email: `s${counter++}@example.test` }).expect(201);
  return res.body.data.id as string;
}
async function freshTag(): Promise<string> {
  const res = await request(t.app).post("/v1/tags").set("Authorization", auth(admin)).send({ name: `tag ${counter++}` }).expect(201);
  return res.body.data.id as string;
}

const ROUTES: Route[] = [
  { name: "GET /v1/workspace", scope: null, call: (k) => request(t.app).get("/v1/workspace").set("Authorization", auth(k)) },
  { name: "GET /v1/subscribers", scope: "subscribers:read", call: (k) => request(t.app).get("/v1/subscribers").set("Authorization", auth(k)) },
  {
    name: "POST /v1/subscribers",
    scope: "subscribers:write",
    call: (k) => request(t.app).post("/v1/subscribers").set("Authorization", auth(k)).send({ email: `new${counter++}@example.test` }),
  },
  {
    name: "GET /v1/subscribers/:id",
    scope: "subscribers:read",
    call: async (k) => request(t.app).get(`/v1/subscribers/${await freshSubscriber()}`).set("Authorization", auth(k)),
  },
  {
    name: "PATCH /v1/subscribers/:id",
    scope: "subscribers:write",
    call: async (k) => request(t.app).patch(`/v1/subscribers/${await freshSubscriber()}`).set("Authorization", auth(k)).send({ first_name: "Ada" }),
  },
  {
    name: "DELETE /v1/subscribers/:id",
    scope: "subscribers:write",
    call: async (k) => request(t.app).delete(`/v1/subscribers/${await freshSubscriber()}`).set("Authorization", auth(k)),
  },
  { name: "GET /v1/tags", scope: "tags:read", call: (k) => request(t.app).get("/v1/tags").set("Authorization", auth(k)) },
  {
    name: "POST /v1/tags",
    scope: "tags:write",
    call: (k) => request(t.app).post("/v1/tags").set("Authorization", auth(k)).send({ name: `made ${counter++}` }),
  },
  {
    name: "DELETE /v1/tags/:id",
    scope: "tags:write",
    call: async (k) => request(t.app).delete(`/v1/tags/${await freshTag()}`).set("Authorization", auth(k)),
  },
];

/** All 15 non-empty subsets of the four scopes. */
const SUBSETS: V1Scope[][] = Array.from({ length: 15 }, (_, i) => V1_SCOPES.filter((_, bit) => (i + 1) & (1 << bit)));

beforeAll(async () => {
  t = await startTestApp();
  workspaceId = (await makeWorkspace(t.ctx)).id;
  admin = (await makeKey(t.ctx, workspaceId, "read_write")).key;
});
afterAll(() => t.close());

describe("per-key permissions on every /v1 route", () => {
  test.each(SUBSETS.map((scopes) => [scopes.join(" "), scopes] as const))(
    "when a key carries exactly [%s], then each route it has the scope for answers 2xx and every other route 403 insufficient_scope",
    async (_label, scopes) => {
      const created = await createApiKey(t.ctx.apiKeys, { workspaceId, name: `custom ${scopes.join(",")}`, scopes, actor: CLI });
      expect(created.apiKey.scopes).toEqual(scopes);
      const key = created.key!;
      for (const route of ROUTES) {
        const res = await route.call(key);
        const allowed = route.scope === null || scopes.includes(route.scope);
        if (allowed) {
          expect([route.name, res.status < 300]).toEqual([route.name, true]);
        } else {
          expect([route.name, res.status, res.body.error?.code]).toEqual([route.name, 403, "insufficient_scope"]);
          expect(res.headers["www-authenticate"]).toContain(`scope="${route.scope}"`);
        }
      }
    },
  );

  test("when keys are made from the presets or their exact scopes, then access is read_only / read_write; any other set is custom", async () => {
    const make = (input: { access?: "read_only" | "read_write"; scopes?: string[] }) =>
      createApiKey(t.ctx.apiKeys, { workspaceId, name: "preset", actor: CLI, ...input }).then((r) => r.apiKey);
    expect(await make({ access: "read_only" })).toMatchObject({ access: "read_only", scopes: ["subscribers:read", "tags:read"] });
    expect(await make({ access: "read_write" })).toMatchObject({ access: "read_write", scopes: [...V1_SCOPES] });
    expect(await make({ scopes: ["tags:read", "subscribers:read"] })).toMatchObject({ access: "read_only" });
    // A write scope does not bring its read scope along.
    expect(await make({ scopes: ["subscribers:write"] })).toMatchObject({ access: "custom", scopes: ["subscribers:write"] });
  });

  test("when a key is asked for with no scope or an unknown one, then it is refused 422 and nothing is created", async () => {
    const before = await t.ctx.db.apiKey.count();
    await expect(createApiKey(t.ctx.apiKeys, { workspaceId, name: "none", scopes: [], actor: CLI })).rejects.toMatchObject({ status: 422 });
    await expect(createApiKey(t.ctx.apiKeys, { workspaceId, name: "bad", scopes: ["admin"], actor: CLI })).rejects.toMatchObject({ status: 422 });
    expect(await t.ctx.db.apiKey.count()).toBe(before);
  });

  test("when a key written before scopes existed (migration backfill or an older node) has none stored, then its access level decides", async () => {
    const { record, key } = await makeKey(t.ctx, workspaceId, "read_only");
    await t.ctx.db.apiKey.update({ where: { id: record.id }, data: { scopes: "" } });
    t.ctx.feed.emit("api_key", record.id);
    await request(t.app).get("/v1/tags").set("Authorization", auth(key)).expect(200);
    const denied = await request(t.app).post("/v1/tags").set("Authorization", auth(key)).send({ name: "x" });
    expect(denied.status).toBe(403);
  });
});
