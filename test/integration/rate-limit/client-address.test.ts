import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";

const BAD_KEY = "mrk_notarealkeynotarealkeynotarealkeynotare000000";

async function failWith(t: TestApp, forwardedFor: string): Promise<number> {
  const res = await request(t.app).get("/v1/workspace").set("authorization", `Bearer ${BAD_KEY}`).set("x-forwarded-for", forwardedFor);
  return res.status;
}

describe("the client address behind a load balancer (TRUST_PROXY)", () => {
  test("when TRUST_PROXY=1 and a client forges X-Forwarded-For, then its failures still count against the address the proxy saw", async () => {
    const t = await startTestApp({ TRUST_PROXY: "1", AUTH_FAILURES_PER_MINUTE: "3" });
    try {
      for (let i = 0; i < 3; i++) expect(await failWith(t, `10.0.0.${i}, 203.0.113.7`)).toBe(401);
      expect(await failWith(t, "10.0.0.99, 203.0.113.7")).toBe(429);
      // Another client behind the same proxy is not held back by the first one's failures.
      expect(await failWith(t, "203.0.113.8")).toBe(401);
    } finally {
      await t.close();
    }
  });

  test("when TRUST_PROXY is off, then X-Forwarded-For is ignored and the connection's address counts", async () => {
    const t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "3" });
    try {
      for (let i = 0; i < 3; i++) expect(await failWith(t, `203.0.113.${i}`)).toBe(401);
      expect(await failWith(t, "203.0.113.200")).toBe(429);
    } finally {
      await t.close();
    }
  });
});
