import { OPERATOR } from "../../../src/access/access-scope.js";
import { revokeAuthorizedApp } from "../../../src/authorized-apps/revoke-authorized-app.js";
import { AccessTokenVerifier } from "../../../src/credentials/access-token-verifier.js";
import type { Principal } from "../../../src/credentials/principal.js";
import { createDb, type Db } from "../../../src/db/client.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";

let t: TestServer;
let db: Db;
const reads: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  // A client of our own on the same database, to see the statements a check runs.
  db = await createDb(t.config.databaseUrl, { postgres: t.config.database, onStatement: (sql) => reads.push(sql) });
});
afterAll(async () => {
  await db.$disconnect();
  await t.close();
});

const CALLER = { ip: "127.0.0.1", headers: {} };

/** A verifier with an empty cache, so that its next check reads the database. */
const freshVerifier = () => new AccessTokenVerifier({ db, feed: t.ctx.feed }, t.ctx.oauth.accessTokens, t.ctx.logger);

/** The check's reads: SELECTs only (a last-used write may follow the check, on its own schedule). */
async function selectsOf(check: () => Promise<unknown>): Promise<number> {
  reads.length = 0;
  await check().catch(() => undefined);
  return reads.filter((sql) => /^\s*SELECT/i.test(sql)).length;
}

describe("an OAuth access token checked on a cache miss", () => {
  test("when a fresh verifier checks a token, then one statement reads it with its record, workspace and client, and the principal names them", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Token Check App" });
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials, scope: "subscribers:read" });
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });

    let principal: Principal | undefined;
    expect(await selectsOf(async () => (principal = await freshVerifier().verify(tokens.access_token, CALLER)))).toBe(1);
    expect(principal?.workspace).toEqual({ id: owner.workspace.id, name: owner.workspace.name });
    expect([...principal!.scopes]).toEqual(["subscribers:read"]);
    expect(principal?.credential).toMatchObject({ type: "oauth", authorizedAppId: record.id, clientId: client.id });
    expect(principal?.rateKey).toBe(`app:${record.id}`);
  });

  test("when the app's record is revoked, then a fresh check refuses the token, still in one statement", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Revoked App" });
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials });
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
    await revokeAuthorizedApp({ db: t.ctx.db, feed: t.ctx.feed }, { id: record.id, scope: OPERATOR, by: "user", actor: { type: "user", id: "u1", label: "a@b" } });

    let refused: unknown;
    expect(
      await selectsOf(async () => {
        try {
          await freshVerifier().verify(tokens.access_token, CALLER);
        } catch (err) {
          refused = err;
        }
      }),
    ).toBe(1);
    expect(refused).toMatchObject({ code: "invalid_access_token" });
  });

  test("when the client is disabled, or the token is unknown, then a fresh check refuses it", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Disabled Client" });
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials });
    await expect(Promise.resolve(freshVerifier().verify(`${tokens.access_token.slice(0, -2)}xx`, CALLER))).rejects.toMatchObject({ code: "invalid_access_token" });
    await t.ctx.db.oAuthClient.update({ where: { id: client.id }, data: { status: "disabled" } });
    await expect(Promise.resolve(freshVerifier().verify(tokens.access_token, CALLER))).rejects.toMatchObject({ code: "invalid_access_token" });
  });
});
