import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeKey } from "../../support/fixtures.js";
import { msUntilStatus, v1Status } from "../multinode/admin-session.js";
import { type NodeProcess, startNode } from "../../support/node-process.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";

const databaseKind = (t: TestServer) => (t.config.databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL");

const report = (credentials: string[]) =>
  fetch(`${a.url}/credentials/revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ credentials }) });

/**
 * Node A is this test's server; node B a separate server process on the same database (the SQLite file, or
 * the PostgreSQL database on CI's PostgreSQL run). A report reaches A; B must refuse the credential within 1 s.
 */
let a: TestServer;
let b: NodeProcess;
let owner: Awaited<ReturnType<typeof makeOwner>>;
beforeAll(async () => {
  a = await startTestServer();
  b = await startNode("B", { DATABASE_URL: a.config.databaseUrl, ISSUER: a.url });
  owner = await makeOwner(a.ctx);
  // One unmeasured round first: the measured ones are about propagation, not a cold process's first requests.
  const { key } = await makeKey(a.ctx, owner.workspace.id);
  await v1Status(b.url, key);
  // A cold database may answer a first write late (503 under the statement timeout): the warm-up may retry.
  for (let attempt = 0; attempt < 5 && (await report([key])).status !== 202; attempt++) await new Promise((r) => setTimeout(r, 500));
  await msUntilStatus(b.url, key, 401, performance.now(), 30_000);
}, 180_000);
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

test("when a leaked key is reported to one node, then that node refuses it on the next request and the other within 1 s", async () => {
  const { key } = await makeKey(a.ctx, owner.workspace.id);
  expect(await v1Status(b.url, key)).toBe(200);
  const sent = performance.now();
  expect((await report([key])).status).toBe(202);
  // From the answer on: the revocation is committed, and the other node has to hear of it.
  const answered = performance.now();
  expect(await v1Status(a.url, key)).toBe(401);
  const ms = await msUntilStatus(b.url, key, 401, answered);
  console.log(`[figure] leaked key: report answered in ${Math.round(answered - sent)} ms, refused by the other node ${Math.round(ms)} ms later (${databaseKind(a)})`);
  expect(ms).toBeLessThan(1000);
});

test("when a leaked access token is reported to one node, then that node refuses it on the next request and the other within 1 s", async () => {
  const client = await makeClient(a.ctx);
  const { tokens } = await connect({ issuer: a.url, client, user: owner.credentials });
  expect(await v1Status(b.url, tokens.access_token)).toBe(200);
  const sent = performance.now();
  expect((await report([tokens.access_token])).status).toBe(202);
  const answered = performance.now();
  expect(await v1Status(a.url, tokens.access_token)).toBe(401);
  const ms = await msUntilStatus(b.url, tokens.access_token, 401, answered);
  console.log(`[figure] leaked access token: report answered in ${Math.round(answered - sent)} ms, refused by the other node ${Math.round(ms)} ms later (${databaseKind(a)})`);
  expect(ms).toBeLessThan(1000);
});
