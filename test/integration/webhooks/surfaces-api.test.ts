import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { type Agent, makeWorld, signedIn } from "../../support/world.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

type Client = { a: Agent; token: string };
type User = typeof w.admin;

/** A signed-in script: its agent and the CSRF token from GET /api/csrf-token. */
async function apiClient(user: User): Promise<Client> {
  const a = await signedIn(t, user);
  return { a, token: (await a.get("/api/csrf-token").expect(200)).body.token as string };
}
const send = (c: Client, method: "post" | "patch" | "delete", path: string, body: object = {}) => c.a[method](path).set("x-csrf-token", c.token).send(body);

const RECEIVER = "https://hooks.example.test/workspace-auth";

/** An endpoint the admin adds through /api; returns the response body's data. */
async function addEndpoint(c: Client, body: object = {}) {
  const res = await send(c, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created", "member.added"], ...body }).expect(201);
  return res.body.data as { secret: string; webhook: { id: string; secret_hint: string; previous_secret_expires_at: string | null } };
}

describe("/api/webhooks: adding, reading, changing", () => {
  test("when an admin adds an endpoint, then the whsec_ secret comes back once and no later GET carries it", async () => {
    const admin = await apiClient(w.admin);
    const created = await addEndpoint(admin, { description: "SIEM" });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created", "member.added"], status: "enabled", description: "SIEM" });
    expect(created.webhook.secret_hint.replace(/^…/, "")).toBe(created.secret.slice(-4));
    const one = await admin.a.get(`/api/webhooks/${created.webhook.id}`).expect(200);
    const list = await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200);
    expect(list.body.data.map((h: { id: string }) => h.id)).toContain(created.webhook.id);
    for (const text of [one.text, list.text]) expect(text).not.toContain(created.secret);
    expect(t.logs.text).not.toContain(created.secret);
  });

  test("when a member reads, then they see the endpoints; when they add, change, rotate, enable or delete, then 403 and nothing changes", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const member = await apiClient(w.member);
    expect((await member.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.map((h: { id: string }) => h.id)).toContain(webhook.id);
    await member.a.get(`/api/webhooks/${webhook.id}`).expect(200);
    const refusals = [
      await send(member, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"] }),
      await send(member, "patch", `/api/webhooks/${webhook.id}`, { url: "https://attacker.example.test/" }),
      await send(member, "post", `/api/webhooks/${webhook.id}/rotate-secret`),
      await send(member, "post", `/api/webhooks/${webhook.id}/enable`),
      await send(member, "delete", `/api/webhooks/${webhook.id}`),
    ];
    for (const res of refusals) expect([res.status, res.body.error?.code]).toEqual([403, "forbidden"]);
    expect((await admin.a.get(`/api/webhooks/${webhook.id}`).expect(200)).body.data).toMatchObject({ url: RECEIVER, secret_hint: webhook.secret_hint });
  });

  test("when someone outside the workspace names its endpoint or the workspace, then 404 as for a missing one", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const stranger = await apiClient(w.stranger);
    const answers = [
      await stranger.a.get(`/api/webhooks/${webhook.id}`),
      await stranger.a.get(`/api/webhooks?workspace=${w.ws.id}`),
      await stranger.a.get(`/api/webhooks/${webhook.id}/deliveries`),
      await send(stranger, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"] }),
      await send(stranger, "patch", `/api/webhooks/${webhook.id}`, { url: "https://attacker.example.test/" }),
      await send(stranger, "post", `/api/webhooks/${webhook.id}/rotate-secret`),
      await send(stranger, "delete", `/api/webhooks/${webhook.id}`),
    ];
    for (const res of answers) expect([res.status, res.body.error?.code]).toEqual([404, "not_found"]);
    expect((await stranger.a.get("/api/webhooks").expect(200)).body.data).toEqual([]);
    await admin.a.get(`/api/webhooks/${webhook.id}`).expect(200);
  });

  test("when the URL is not https (nor http on loopback) or not a URL, or the events are unknown or none, then a 4xx envelope and nothing is added", async () => {
    const admin = await apiClient(w.admin);
    const before = (await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.length;
    for (const url of ["http://hooks.example.test/x", "ftp://hooks.example.test/x", "not a url", "https://"]) {
      const res = await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url, events: ["api_key.created"] });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", message: expect.any(String) });
    }
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.eaten"] }).expect(422);
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: [] }).expect(422);
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"], secret: "whsec_mine" }).expect(422);
    expect((await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.length).toBe(before);
  });

  test("when a POST lacks the CSRF header, or nobody is signed in, then 403 invalid_csrf_token / 401 and nothing is added", async () => {
    const admin = await apiClient(w.admin);
    const body = { workspace_id: w.ws.id, url: "https://csrf.example.test/", events: ["api_key.created"] };
    expect((await admin.a.post("/api/webhooks").send(body).expect(403)).body.error.code).toBe("invalid_csrf_token");
    expect((await request(t.app).post("/api/webhooks").send(body).expect(401)).body.error.code).toBe("missing_credentials");
    await request(t.app).get("/api/webhooks").expect(401);
    const { webhook } = await addEndpoint(admin);
    expect((await admin.a.delete(`/api/webhooks/${webhook.id}`).expect(403)).body.error.code).toBe("invalid_csrf_token");
    const list = (await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data as { url: string; id: string }[];
    expect(list.some((h) => h.url === body.url)).toBe(false);
    expect(list.some((h) => h.id === webhook.id)).toBe(true);
  });

  test("when an admin changes an endpoint, then URL, events and description follow and the secret stays; an empty change is 422", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const res = await send(admin, "patch", `/api/webhooks/${webhook.id}`, { url: "https://other.example.test/in", events: ["api_key.revoked"], description: "renamed" }).expect(200);
    expect(res.body.data).toMatchObject({ url: "https://other.example.test/in", events: ["api_key.revoked"], description: "renamed", secret_hint: webhook.secret_hint });
    await send(admin, "patch", `/api/webhooks/${webhook.id}`, {}).expect(422);
    await send(admin, "patch", `/api/webhooks/${webhook.id}`, { workspace_id: w.other.id }).expect(422);
  });

  test("when the secret is rotated, then a new one comes back once, the old one signs for 24 h more, and GET shows neither", async () => {
    const admin = await apiClient(w.admin);
    const created = await addEndpoint(admin);
    const res = await send(admin, "post", `/api/webhooks/${created.webhook.id}/rotate-secret`).expect(200);
    const rotated = res.body.data as { secret: string; webhook: { secret_hint: string; previous_secret_expires_at: string } };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.webhook.secret_hint.replace(/^…/, "")).toBe(rotated.secret.slice(-4));
    expect(Math.abs(Date.parse(rotated.webhook.previous_secret_expires_at) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    const text = (await admin.a.get(`/api/webhooks/${created.webhook.id}`).expect(200)).text;
    expect(text).not.toContain(rotated.secret);
    expect(text).not.toContain(created.secret);
  });

  test("when an admin deletes an endpoint, then 204 and it is gone (404 after)", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    await send(admin, "delete", `/api/webhooks/${webhook.id}`).expect(204);
    await admin.a.get(`/api/webhooks/${webhook.id}`).expect(404);
    await send(admin, "delete", `/api/webhooks/${webhook.id}`).expect(404);
  });

  test("when the deliveries query is bad, then 422 names the field", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?limit=0`).expect(422)).body.error.message).toContain("limit");
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?cursor=a/b`).expect(422)).body.error.message).toContain("cursor");
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200)).body).toMatchObject({ data: expect.any(Array), has_more: false, next_cursor: null });
  });
});
