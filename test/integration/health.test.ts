import request from "supertest";
import { startTestApp, type TestApp } from "../support/app.js";

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
