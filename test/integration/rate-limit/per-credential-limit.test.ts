import express, { type Request } from "express";
import type { IncrementResponse, Store } from "express-rate-limit";
import request from "supertest";
import { renderErrors } from "../../../src/errors/render.js";
import { perCredentialLimit } from "../../../src/rate-limit/limits.js";

/** A store that counts in memory and answers at once, as a store may (`increment` returning the count itself). */
class SynchronousStore implements Store {
  readonly counts = new Map<string, number>();
  readonly resetTime = new Date(Date.now() + 60_000);
  increment(key: string): IncrementResponse {
    const totalHits = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, totalHits);
    return { totalHits, resetTime: this.resetTime };
  }
  decrement(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 1) - 1);
  }
  resetKey(key: string): void {
    this.counts.delete(key);
  }
}

/** An app where each request is "authenticated" as the credential named in x-credential, then limited. */
function limitedApp(store: Store, limit: number) {
  const app = express();
  const decidedInTheSameTick: boolean[] = [];
  app.use((req: Request & { continued?: boolean }, _res, next) => {
    req.principal = { rateKey: String(req.headers["x-credential"]) } as Request["principal"];
    next();
    // Set after the rest of the chain returned: if the handler saw it unset, it ran within next().
    req.continued = true;
  });
  app.use(perCredentialLimit({ disabled: false, limit, windowMs: 60_000, store }));
  app.get("/", (req: Request & { continued?: boolean }, res) => {
    decidedInTheSameTick.push(req.continued !== true);
    res.json({});
  });
  app.use(renderErrors);
  return { app, decidedInTheSameTick };
}

describe("the per-credential limit", () => {
  test("when the store counts synchronously, then the request goes on in the same tick (no promise on the way)", async () => {
    const { app, decidedInTheSameTick } = limitedApp(new SynchronousStore(), 5);
    const res = await request(app).get("/").set("x-credential", "key-a").expect(200);
    expect(decidedInTheSameTick).toEqual([true]);
    expect(res.headers["ratelimit-policy"]).toBe("5;w=60");
    expect(res.headers["ratelimit-limit"]).toBe("5");
    expect(res.headers["ratelimit-remaining"]).toBe("4");
    expect(Number(res.headers["ratelimit-reset"])).toBeGreaterThan(0);
  });

  test("when a credential goes over its limit, then it gets 429 with Retry-After while another credential is served", async () => {
    const { app } = limitedApp(new SynchronousStore(), 2);
    await request(app).get("/").set("x-credential", "key-a").expect(200);
    await request(app).get("/").set("x-credential", "key-a").expect(200);
    const refused = await request(app).get("/").set("x-credential", "key-a").expect(429);
    expect(refused.headers["ratelimit-remaining"]).toBe("0");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    await request(app).get("/").set("x-credential", "key-b").expect(200);
  });
});
