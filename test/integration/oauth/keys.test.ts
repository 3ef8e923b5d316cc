import crypto from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import request from "supertest";
import { buildContext } from "../../../src/context.js";
import { createLogger } from "../../../src/logger.js";
import { startTestApp, type TestApp } from "../../support/app.js";

const jwksOf = async (t: TestApp) => (await request(t.app).get("/jwks").expect(200)).body as { keys: { kid: string; d?: string }[] };

describe("signing and cookie keys", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test("when the server starts on an empty database, then it generates keys, stores them and publishes only the public part", async () => {
    const stored = await t.ctx.db.serverSecret.findMany({ where: { id: { in: ["oidc-jwks", "oidc-cookie-keys"] } } });
    expect(stored.map((s) => s.id).sort()).toEqual(["oidc-cookie-keys", "oidc-jwks"]);
    const { keys } = await jwksOf(t);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty("d");
    expect(JSON.parse(stored.find((s) => s.id === "oidc-jwks")!.value).keys[0].kid).toBe(keys[0].kid);
  });

  test("when another node starts on the same database, then it uses the same keys", async () => {
    const other = await buildContext(t.config, { logger: createLogger("silent") });
    try {
      const mine = await jwksOf(t);
      const theirs = (await request(other.oauth.provider.callback()).get("/jwks").expect(200)).body;
      expect(theirs).toEqual(mine);
      const secret = await other.db.serverSecret.findUniqueOrThrow({ where: { id: "oidc-cookie-keys" } });
      expect(secret.value).toBe((await t.ctx.db.serverSecret.findUniqueOrThrow({ where: { id: "oidc-cookie-keys" } })).value);
    } finally {
      await other.close();
    }
  });
});

describe("keys from configuration", () => {
  test("when OIDC_JWKS and COOKIE_KEYS are set, then those are used and nothing is generated", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const kid = crypto.randomUUID();
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" }] });
    const t = await startTestApp({ OIDC_JWKS: jwks, COOKIE_KEYS: "first-cookie-key-0123456789abcdef,second-key-0123456789abcdef" });
    try {
      expect((await jwksOf(t)).keys.map((k) => k.kid)).toEqual([kid]);
      expect(await t.ctx.db.serverSecret.count({ where: { id: { in: ["oidc-jwks", "oidc-cookie-keys"] } } })).toBe(0);
      expect(t.ctx.oauth.provider.keys).toEqual(["first-cookie-key-0123456789abcdef", "second-key-0123456789abcdef"]);
    } finally {
      await t.close();
    }
  });
});
