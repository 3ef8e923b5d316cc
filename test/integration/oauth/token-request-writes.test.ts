import { jest } from "@jest/globals";
import { observeTransaction } from "../../../src/db/observe-statements.js";
import { adapterUnder } from "../../../src/db/read-rows.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeClient, makeOwner, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function connected() {
  const { credentials } = await makeOwner(t.ctx);
  const client = await makeClient(t.ctx);
  const { tokens } = await connect({ issuer: t.url, client, user: credentials });
  return { client, tokens };
}

const refresh = (client: Awaited<ReturnType<typeof makeClient>>, refreshToken: string, extra: Record<string, string> = {}) =>
  tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: refreshToken, ...extra });

/**
 * Watches the transactions the app's database client starts at its driver adapter (Prisma's own and raw ones
 * alike) and the first word of each statement run in them (BEGIN and COMMIT, which pg's adapter sends as
 * statements, left out).
 */
function watchTransactions() {
  const adapter = adapterUnder(t.ctx.db)!;
  const start = adapter.startTransaction.bind(adapter);
  const words: string[] = [];
  const seen = (sql: string) => {
    const word = sql.trim().split(/\s/)[0].toUpperCase();
    if (word !== "BEGIN" && word !== "COMMIT") words.push(word);
  };
  const spy = jest.spyOn(adapter, "startTransaction").mockImplementation(async (level) => observeTransaction(await start(level), seen));
  return { transactions: () => spy.mock.calls.length, statements: () => [...words], restore: () => spy.mockRestore() };
}

describe("the token endpoint's writes (oauth/token-request-writes.ts)", () => {
  test("when a refresh token is redeemed, then its redemption and the two new tokens are written in one transaction", async () => {
    const { client, tokens } = await connected();
    const { transactions, statements, restore } = watchTransactions();
    try {
      const res = await refresh(client, tokens.refresh_token!);
      expect(res.status).toBe(200);
      expect(transactions()).toBe(1);
      // The conditional UPDATE that redeems, then one INSERT of both new tokens (the reads run before, outside it).
      expect(statements()).toEqual(["UPDATE", "INSERT"]);
      const next = await refresh(client, res.body.refresh_token as string);
      expect(next.status).toBe(200);
      expect(await v1Status(t.url, next.body.access_token as string)).toBe(200);
    } finally {
      restore();
    }
    const old = await t.ctx.db.oidcModel.count({ where: { type: "RefreshToken", consumedAt: { not: null }, grantId: { not: null } } });
    expect(old).toBeGreaterThanOrEqual(2);
  });

  test("when eight apps refresh at once, then each gets working tokens of its own and fewer transactions than requests ran", async () => {
    const apps = await Promise.all(Array.from({ length: 8 }, () => connected()));
    const { transactions, restore } = watchTransactions();
    try {
      const results = await Promise.all(apps.map(({ client, tokens }) => refresh(client, tokens.refresh_token!)));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(transactions()).toBeLessThan(8);
      for (const [i, r] of results.entries()) {
        expect(await v1Status(t.url, r.body.access_token as string)).toBe(200);
        expect((await refresh(apps[i].client, r.body.refresh_token as string)).status).toBe(200);
        expect((await refresh(apps[i].client, apps[i].tokens.refresh_token!)).body.error).toBe("invalid_grant");
      }
    } finally {
      restore();
    }
  });

  test("when ten requests redeem one refresh token at once, then exactly one gets tokens and the grant is revoked", async () => {
    const { client, tokens } = await connected();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(client, tokens.refresh_token!)));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("invalid_grant");
    }
    // Losing a race is treated as a replay: what the grant issued, the winner's tokens included, is revoked.
    expect(await v1Status(t.url, won[0].body.access_token as string)).toBe(401);
    expect((await refresh(client, won[0].body.refresh_token as string)).body.error).toBe("invalid_grant");
  });

  test("when a refresh request fails before any token is issued, then nothing is written and the refresh token still works", async () => {
    const { client, tokens } = await connected();
    const refused = await refresh(client, tokens.refresh_token!, { resource: "https://elsewhere.example/api" });
    expect(refused.status).toBe(400);
    const res = await refresh(client, tokens.refresh_token!);
    expect(res.status).toBe(200);
    expect(await v1Status(t.url, res.body.access_token as string)).toBe(200);
  });
});
