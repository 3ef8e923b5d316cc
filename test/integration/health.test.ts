import { type Client, createClient } from "@libsql/client";
import request from "supertest";
import { startTestApp, type TestApp } from "../support/app.js";
import { postgresAdminUrl } from "../support/database.js";
import { makeKey } from "../support/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("health and readiness", () => {
  test("when /health is asked, then it answers ok with security headers and a request id", async () => {
    const res = await request(t.app).get("/health").expect(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-request-id"]).toMatch(/.+/);
  });

  test("when the caller sends x-request-id, then the same id is echoed and logged", async () => {
    const res = await request(t.app).get("/health").set("x-request-id", "abc-123").expect(200);
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(t.logs.text).toContain('"request_id":"abc-123"');
  });

  test("when the database answers, then /ready is 200", async () => {
    await request(t.app).get("/ready").expect(200, { status: "ready" });
  });
});

const onSqlite = postgresAdminUrl() ? describe.skip : describe;

onSqlite("readiness when the SQLite database cannot take a write", () => {
  let s: TestApp;
  let lock: Client;
  beforeAll(async () => {
    s = await startTestApp();
    lock = createClient({ url: s.config.databaseUrl });
  });
  afterAll(async () => {
    lock.close();
    await s.close();
  });

  test("when another process holds the write lock, then /ready is 503 within 2.5 s while /health answers at once; then 200 once released", async () => {
    await lock.execute("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      const ready = request(s.app).get("/ready");
      const health = await request(s.app).get("/health").expect(200);
      const healthMs = performance.now() - started;
      const res = await ready;
      const readyMs = performance.now() - started;
      expect(health.body).toEqual({ status: "ok" });
      expect(res.status).toBe(503);
      expect(healthMs).toBeLessThan(500);
      expect(readyMs).toBeLessThan(2500);
    } finally {
      await lock.execute("ROLLBACK");
    }
    await request(s.app).get("/ready").expect(200, { status: "ready" });
  });

  test("when another process holds the write lock, then a write request gets 503 with Retry-After (not 500), and 201 once released", async () => {
    const owner = await s.ctx.db.workspace.create({ data: { name: "Lock Test" } });
    const { key } = await makeKey(s.ctx, owner.id, "read_write");
    await lock.execute("BEGIN IMMEDIATE");
    try {
      const res = await request(s.app).post("/v1/subscribers").set("authorization", `Bearer ${key}`).send({ email: "a@lock.example" });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      expect(res.body.error).toMatchObject({ type: "api_error", code: "service_unavailable" });
    } finally {
      await lock.execute("ROLLBACK");
    }
    await request(s.app).post("/v1/subscribers").set("authorization", `Bearer ${key}`).send({ email: "a@lock.example" }).expect(201);
  });
});
