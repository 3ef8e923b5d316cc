import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeClient, makeOwner, v1Status } from "../../support/oauth-helpers.js";
import { withLastCharChanged } from "../../support/tamper.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "3" });
});
afterAll(() => t.close());

describe("an OAuth access token on /v1", () => {
  test("when its address is over the failure limit, then the valid token is still served and failures get 429", async () => {
    const owner = await makeOwner(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client: await makeClient(t.ctx), user: owner.credentials });
    for (let i = 0; i < 3; i++) expect(await v1Status(t.url, "not-a-token")).toBe(401);
    expect(await v1Status(t.url, "not-a-token")).toBe(429);
    expect(await v1Status(t.url, withLastCharChanged(tokens.access_token))).toBe(429);
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
  });

  test("when it is used, then the log line names kind oauth, the authorized-app record and the workspace, never the token", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials });
    const res = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${tokens.access_token}`, "x-request-id": "oauth-log-1" } });
    expect(res.status).toBe(200);
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
    const line = t.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === "oauth-log-1" && l.res);
    expect(line).toMatchObject({ credential_kind: "oauth", credential_id: record.id, workspace_id: owner.workspace.id });
    expect(t.logs.text).not.toContain(tokens.access_token);
  });
});
