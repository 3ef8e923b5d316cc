import request from "supertest";
import { onceAtATime } from "../../../src/http/idempotency-in-flight.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";
import { type Agent, makeWorld, signedIn } from "../../support/world.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

const v1 = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

/** A signed-in script: its agent and the CSRF token from GET /api/csrf-token. */
async function apiClient(user: Awaited<ReturnType<typeof makeUser>>): Promise<{ a: Agent; token: string }> {
  const a = await signedIn(t, user);
  const res = await a.get("/api/csrf-token").expect(200);
  expect(res.body.token).toEqual(expect.any(String));
  return { a, token: res.body.token as string };
}

function post(c: { a: Agent; token: string }, path: string, body?: object) {
  return c.a.post(path).set("x-csrf-token", c.token).send(body);
}

describe("/api admin JSON: sessions and CSRF", () => {
  test("when no one is signed in, then every /api call is a 401 envelope", async () => {
    for (const path of ["/api/csrf-token", "/api/workspaces", "/api/api-keys", "/api/authorized-apps", "/api/activity"]) {
      const res = await request(t.app).get(path).expect(401);
      expect(res.body.error).toMatchObject({ type: "authentication_error", code: "missing_credentials" });
    }
    await request(t.app).post("/api/api-keys").send({}).expect(401);
  });

  test("when a POST lacks the x-csrf-token header or carries a wrong one, then it is a 403 and nothing happens", async () => {
    const c = await apiClient(w.admin);
    const body = { workspace_id: w.ws.id, name: "csrf-less", access: "read_only" };
    const missing = await c.a.post("/api/api-keys").send(body).expect(403);
    expect(missing.body.error).toMatchObject({ type: "permission_error", code: "invalid_csrf_token" });
    await c.a.post("/api/api-keys").set("x-csrf-token", `${c.token}x`).send(body).expect(403);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    await c.a.post(`/api/api-keys/${record.id}/revoke`).send({}).expect(403);
    await c.a.post(`/api/api-keys/${record.id}/rotate`).send({}).expect(403);
    await v1(key).expect(200);
    expect(await t.ctx.db.apiKey.count({ where: { name: "csrf-less" } })).toBe(0);
    await post(c, "/api/api-keys", body).expect(201);
  });

  test("when responses are sent, then they are never cached", async () => {
    const c = await apiClient(w.admin);
    expect((await c.a.get("/api/api-keys").expect(200)).headers["cache-control"]).toBe("no-store");
  });

  test("when an unknown /api path is requested, then it is a 404 envelope", async () => {
    const c = await apiClient(w.admin);
    expect((await c.a.get("/api/nothing-here").expect(404)).body.error.code).toBe("not_found");
  });
});

describe("/api/workspaces", () => {
  test("when listed, then every membership comes with its role and whether the viewer manages it", async () => {
    const c = await apiClient(w.member);
    const res = await c.a.get("/api/workspaces").expect(200);
    expect(res.body.data).toEqual([{ id: w.ws.id, name: w.ws.name, role: "member", can_manage: false }]);
    const admin = await apiClient(w.admin);
    expect((await admin.a.get("/api/workspaces").expect(200)).body.data).toEqual([
      { id: w.ws.id, name: w.ws.name, role: "admin", can_manage: true },
    ]);
  });
});

describe("/api/api-keys", () => {
  test("when an admin creates a key, then 201 returns the secret once and it works on /v1", async () => {
    const c = await apiClient(w.admin);
    const res = await post(c, "/api/api-keys", { workspace_id: w.ws.id, name: "script key", access: "read_only", expires_in_days: 7 }).expect(201);
    expect(res.body.data.key).toMatch(/^mrk_/);
    expect(res.body.data.api_key).toMatchObject({ name: "script key", access: "read_only", workspace_id: w.ws.id, status: "active" });
    expect(res.body.data.api_key.owner).toEqual({ id: w.admin.id, email: w.admin.email });
    const expires = new Date(res.body.data.api_key.expires_at).getTime();
    expect(Math.abs(expires - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
    await v1(res.body.data.key).expect(200);
    const listed = await c.a.get(`/api/api-keys?workspace=${w.ws.id}&q=script`).expect(200);
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(res.body.data.api_key.id);
    expect(JSON.stringify(listed.body)).not.toContain(res.body.data.key);
  });

  test("when expires_at is given, then it is stored; both expiry fields, unknown fields or bad types are a 422", async () => {
    const c = await apiClient(w.owner);
    const at = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const ok = await post(c, "/api/api-keys", { workspace_id: w.ws.id, name: "dated", access: "read_write", expires_at: at }).expect(201);
    expect(ok.body.data.api_key.expires_at).toBe(at);
    const bad = [
      { workspace_id: w.ws.id, name: "x", access: "read_write", expires_at: at, expires_in_days: 3 },
      { workspace_id: w.ws.id, name: "x", access: "read_write", owner: "someone" },
      { workspace_id: w.ws.id, name: "x", access: "admin" },
      { workspace_id: w.ws.id, name: { contains: "" }, access: "read_only" },
      { workspace_id: w.ws.id, name: "x", access: "read_only", expires_in_days: 366 },
      { workspace_id: w.ws.id, name: "x", access: "read_only", expires_at: "2020-01-01T00:00:00Z" },
    ];
    for (const body of bad) {
      const res = await post(c, "/api/api-keys", body).expect(422);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "validation_failed" });
    }
    expect(await t.ctx.db.apiKey.count({ where: { name: "x" } })).toBe(0);
  });

  test("when a create is retried with the same Idempotency-Key, then one key exists and the retry has no secret", async () => {
    const c = await apiClient(w.owner);
    const body = { workspace_id: w.ws.id, name: "retried", access: "read_only" };
    const first = await post(c, "/api/api-keys", body).set("Idempotency-Key", "retry-0001").expect(201);
    const second = await post(c, "/api/api-keys", body).set("Idempotency-Key", "retry-0001").expect(200);
    expect(second.body.data.key).toBeNull();
    expect(second.body.data.api_key.id).toBe(first.body.data.api_key.id);
    expect(await t.ctx.db.apiKey.count({ where: { name: "retried" } })).toBe(1);
    const otherWorkspace = await makeWorkspace(t.ctx, undefined, [{ userId: w.owner.id, role: "owner" }]);
    const reused = await post(c, "/api/api-keys", { ...body, workspace_id: otherWorkspace.id }).set("Idempotency-Key", "retry-0001").expect(409);
    expect(reused.body.error.code).toBe("idempotency_key_reused");
    await post(c, "/api/api-keys", body).set("Idempotency-Key", "bad key!").expect(422);
  });

  test("when a member creates, lists, rotates or revokes keys of their workspace, then each is a 403 (the admin twin succeeds)", async () => {
    const m = await apiClient(w.member);
    const a = await apiClient(w.admin);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const body = { workspace_id: w.ws.id, name: "member api", access: "read_only" };
    expect((await post(m, "/api/api-keys", body).expect(403)).body.error.type).toBe("permission_error");
    await m.a.get(`/api/api-keys?workspace=${w.ws.id}`).expect(403);
    expect((await m.a.get("/api/api-keys").expect(200)).body.data).toEqual([]);
    await post(m, `/api/api-keys/${record.id}/rotate`, {}).expect(403);
    await post(m, `/api/api-keys/${record.id}/revoke`, {}).expect(403);
    await v1(key).expect(200);

    await post(a, "/api/api-keys", body).expect(201);
    expect((await a.a.get(`/api/api-keys?workspace=${w.ws.id}`).expect(200)).body.data.length).toBeGreaterThan(0);
    const rotated = await post(a, `/api/api-keys/${record.id}/rotate`, {}).expect(200);
    await v1(key).expect(401);
    await v1(rotated.body.data.key).expect(200);
    const revoked = await post(a, `/api/api-keys/${record.id}/revoke`).expect(200);
    expect(revoked.body.data).toMatchObject({ id: record.id, status: "revoked" });
    await v1(rotated.body.data.key).expect(401);
  });

  test("when an admin targets another workspace, then its keys are 404 and creating there is 403", async () => {
    const a = await apiClient(w.admin);
    const { key, record } = await makeKey(t.ctx, w.other.id);
    await post(a, `/api/api-keys/${record.id}/rotate`, {}).expect(404);
    const res = await post(a, `/api/api-keys/${record.id}/revoke`, {}).expect(404);
    expect(res.body.error.code).toBe("not_found");
    await post(a, "/api/api-keys", { workspace_id: w.other.id, name: "cross", access: "read_only" }).expect(403);
    await a.a.get(`/api/api-keys?workspace=${w.other.id}`).expect(403);
    const all = await a.a.get("/api/api-keys").expect(200);
    expect(all.body.data.map((k: { id: string }) => k.id)).not.toContain(record.id);
    await v1(key).expect(200);
  });

  test("when a revoked key is rotated, then 409 key_not_active", async () => {
    const a = await apiClient(w.admin);
    const { record } = await makeKey(t.ctx, w.ws.id);
    await post(a, `/api/api-keys/${record.id}/revoke`, {}).expect(200);
    expect((await post(a, `/api/api-keys/${record.id}/rotate`, {}).expect(409)).body.error.code).toBe("key_not_active");
  });

  test("when a list query has unknown or repeated parameters, then it is a 422", async () => {
    const a = await apiClient(w.admin);
    await a.a.get("/api/api-keys?search=x").expect(422);
    await a.a.get("/api/api-keys?q=a&q=b").expect(422);
  });
});

describe("/api/activity", () => {
  test("when listed, then events of administered workspaces come newest first with a readable summary, others never", async () => {
    const a = await apiClient(w.owner);
    const created = await post(a, "/api/api-keys", { workspace_id: w.ws.id, name: "audited", access: "read_write" }).expect(201);
    await post(a, `/api/api-keys/${created.body.data.api_key.id}/revoke`, {}).expect(200);
    await makeKey(t.ctx, w.other.id);
    const res = await a.a.get("/api/activity?limit=2").expect(200);
    expect(res.body.data.map((e: { action: string }) => e.action)).toEqual(["api_key.revoked", "api_key.created"]);
    expect(res.body.data[0]).toMatchObject({
      workspace_id: w.ws.id,
      workspace_name: w.ws.name,
      actor: { type: "user", id: w.owner.id, label: w.owner.email },
      target: { type: "api_key", id: created.body.data.api_key.id },
    });
    expect(res.body.data[0].summary).toBe(`Revoked API key “audited” (${created.body.data.api_key.prefix}…)`);
    expect(res.body.has_more).toBe(true);
    const older = await a.a.get(`/api/activity?limit=100&cursor=${res.body.next_cursor}`).expect(200);
    expect(older.body.data.every((e: { workspace_id: string }) => e.workspace_id === w.ws.id)).toBe(true);
    expect(JSON.stringify(older.body)).not.toContain(created.body.data.key);

    const stranger = await apiClient(w.stranger);
    const theirs = await stranger.a.get("/api/activity?limit=100").expect(200);
    expect(theirs.body.data.every((e: { workspace_id: string }) => e.workspace_id === w.other.id)).toBe(true);
  });

  test("when a member asks for activity, then they get none of the workspace and naming it is a 403", async () => {
    const m = await apiClient(w.member);
    expect((await m.a.get("/api/activity").expect(200)).body.data).toEqual([]);
    await m.a.get(`/api/activity?workspace=${w.ws.id}`).expect(403);
    const owner = await apiClient(w.owner);
    expect((await owner.a.get(`/api/activity?workspace=${w.ws.id}`).expect(200)).body.data.length).toBeGreaterThan(0);
  });
});

describe("/api Idempotency-Key: a fingerprint of the request is kept with the key", () => {
  const body = () => ({ workspace_id: w.ws.id, name: "fingerprinted", access: "read_only" });

  test("when the same key comes with another name or access level, then 422 idempotency_key_reused and no key is made", async () => {
    const c = await apiClient(w.owner);
    const first = await post(c, "/api/api-keys", body()).set("Idempotency-Key", "fingerprint-01").expect(201);
    for (const changed of [{ name: "another name" }, { access: "read_write" }, { expires_in_days: 5 }]) {
      const res = await post(c, "/api/api-keys", { ...body(), ...changed }).set("Idempotency-Key", "fingerprint-01").expect(422);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "idempotency_key_reused" });
    }
    // The twin: the same request again is still a replay of the first key.
    const replay = await post(c, "/api/api-keys", body()).set("Idempotency-Key", "fingerprint-01").expect(200);
    expect(replay.body.data).toMatchObject({ key: null, api_key: { id: first.body.data.api_key.id } });
    expect(await t.ctx.db.apiKey.count({ where: { workspaceId: w.ws.id, name: { in: ["fingerprinted", "another name"] } } })).toBe(1);
  });

  test("when the same key is used for another workspace, then it stays a 409 (not a 422)", async () => {
    const c = await apiClient(w.owner);
    await post(c, "/api/api-keys", body()).set("Idempotency-Key", "fingerprint-02").expect(201);
    const otherWorkspace = await makeWorkspace(t.ctx, undefined, [{ userId: w.owner.id, role: "owner" }]);
    const res = await post(c, "/api/api-keys", { ...body(), workspace_id: otherWorkspace.id }).set("Idempotency-Key", "fingerprint-02").expect(409);
    expect(res.body.error.code).toBe("idempotency_key_reused");
  });

  test("when requests with one key race, then one key is made and each other answer is a replay or 409 idempotency_key_in_flight", async () => {
    const c = await apiClient(w.owner);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => post(c, "/api/api-keys", { ...body(), name: "in flight" }).set("Idempotency-Key", "fingerprint-03")),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 201 || s === 200 || s === 409)).toBe(true);
    for (const r of responses.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("idempotency_key_in_flight");
    // Once the first is done, a retry replays it.
    await post(c, "/api/api-keys", { ...body(), name: "in flight" }).set("Idempotency-Key", "fingerprint-03").expect(200);
    expect(await t.ctx.db.apiKey.count({ where: { name: "in flight" } })).toBe(1);
  });
});

describe("an Idempotency-Key while its first request is still running", () => {
  test("when a second request with the key arrives while the first runs, then it is refused with 409 idempotency_key_in_flight; afterwards it runs", async () => {
    let finish!: () => void;
    const first = onceAtATime("in-flight-key", () => new Promise<string>((resolve) => (finish = () => resolve("first"))));
    await expect(onceAtATime("in-flight-key", async () => "second")).rejects.toMatchObject({ status: 409, code: "idempotency_key_in_flight" });
    // The twin: another key is not held up.
    await expect(onceAtATime("another-key", async () => "other")).resolves.toBe("other");
    finish();
    await expect(first).resolves.toBe("first");
    await expect(onceAtATime("in-flight-key", async () => "later")).resolves.toBe("later");
  });

  test("when the first request fails, then the key is released", async () => {
    await expect(onceAtATime("failing-key", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(onceAtATime("failing-key", async () => "retried")).resolves.toBe("retried");
  });
});
