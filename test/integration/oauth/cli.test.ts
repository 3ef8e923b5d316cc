import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { onlyJson, runCli } from "../../support/cli.js";
import { eventually } from "../../support/eventually.js";
import { makeOwner, REDIRECT_URI, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const cli = (...args: string[]) => runCli([...args, "--json"], { databaseUrl: t.config.databaseUrl });

async function createdClient(...extra: string[]) {
  const run = await cli("client", "create", "--name", "CLI App", "--redirect-uri", REDIRECT_URI, ...extra);
  expect(run.code).toBe(0);
  return onlyJson(run) as { client_id: string; client_secret: string | null };
}

describe("workspace-auth client …", () => {
  test("when a client is created, listed, rotated and deleted, then each step prints its JSON and the old secret dies", async () => {
    const created = await createdClient("--redirect-uri", "https://app.example/cb", "--scopes", "subscribers:read tags:read", "--logo-uri", "https://app.example/logo.png");
    expect(Object.keys(created).sort()).toEqual(["client_id", "client_secret"]);
    expect(created.client_secret).toEqual(expect.any(String));

    const list = onlyJson(await cli("client", "list"));
    const listed = (list.clients as { client_id: string }[]).find((c) => c.client_id === created.client_id);
    expect(listed).toMatchObject({ name: "CLI App", redirect_uris: [REDIRECT_URI, "https://app.example/cb"], scopes: ["subscribers:read", "tags:read"], status: "active" });
    expect(JSON.stringify(list)).not.toContain(created.client_secret);

    const rotated = onlyJson(await cli("client", "rotate-secret", "--id", created.client_id));
    expect(rotated.client_id).toBe(created.client_id);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    const introspect = (secret: string) => tokenEndpoint(`${t.url}/token/introspection`, { id: created.client_id, secret }, { token: "x" });
    expect((await introspect(created.client_secret!)).status).toBe(401);
    expect((await introspect(rotated.client_secret as string)).status).toBe(200);

    expect(onlyJson(await cli("client", "delete", "--id", created.client_id))).toEqual({ id: created.client_id, status: "deleted" });
    // The server has just used the client, so it is in its client cache: the CLI's delete (another process)
    // reaches the server through the change feed, polled every 100 ms here (CACHE_POLL_INTERVAL_MS).
    await eventually(async () => (await introspect(rotated.client_secret as string)).status === 401, 2_000, "the deleted client's secret to be refused");
  });

  test("when --scopes lists openid and offline_access beside a /v1 scope, then the app is created and gets a refresh token", async () => {
    const owner = await makeOwner(t.ctx);
    const created = await createdClient("--scopes", "subscribers:read offline_access openid");
    const list = onlyJson(await cli("client", "list"));
    expect((list.clients as { client_id: string; scopes: string[] }[]).find((c) => c.client_id === created.client_id)?.scopes).toEqual(["subscribers:read"]);
    const client = { id: created.client_id, secret: created.client_secret, redirectUri: REDIRECT_URI };
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials, scope: "subscribers:read offline_access" });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  test.each([
    ["a scope nobody supports", "subscribers:read admin"],
    ["only protocol scopes", "offline_access openid"],
  ])("when --scopes lists %s, then the command fails with a validation error", async (_name, scopes) => {
    const run = await cli("client", "create", "--name", "Bad", "--redirect-uri", REDIRECT_URI, "--scopes", scopes);
    expect(run.code).toBe(1);
    expect(onlyJson(run).error).toMatchObject({ code: "validation_failed" });
  });

  test("when a public client is created, then it has no secret", async () => {
    expect((await createdClient("--public")).client_secret).toBeNull();
  });

  test("when a redirect URI is not allowed, then the command fails with a validation error; without one it is bad usage", async () => {
    const bad = await cli("client", "create", "--name", "Bad", "--redirect-uri", "http://app.example/cb");
    expect(bad.code).toBe(1);
    expect(onlyJson(bad).error).toMatchObject({ code: "validation_failed" });
    const missing = await cli("client", "create", "--name", "Bad");
    expect(missing.code).toBe(2);
  });
});

describe("workspace-auth app …", () => {
  test("when apps are listed and one is revoked, then the list shows it and the server refuses its token within a second", async () => {
    const owner = await makeOwner(t.ctx);
    const created = await createdClient();
    const client = { id: created.client_id, secret: created.client_secret, redirectUri: REDIRECT_URI };
    const { tokens } = await connect({ issuer: t.url, client, user: owner.credentials, scope: "tags:read offline_access" });
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);

    // The last use is recorded just after the request is answered (nothing waits for that write).
    let listed = onlyJson(await cli("app", "list", "--workspace", owner.workspace.id));
    for (let tries = 0; listed.apps[0]?.last_used_at === null && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      listed = onlyJson(await cli("app", "list", "--workspace", owner.workspace.id));
    }
    expect(listed.apps).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        client_id: created.client_id,
        app_name: "CLI App",
        workspace_id: owner.workspace.id,
        scopes: ["tags:read"],
        authorized_at: expect.any(String),
        last_used_at: expect.any(String),
        status: "active",
      }),
    ]);
    const id = listed.apps[0].id as string;

    const revoked = await cli("app", "revoke", "--id", id);
    expect(onlyJson(revoked)).toEqual({ id, status: "revoked" });
    const start = Date.now();
    while ((await v1Status(t.url, tokens.access_token)) !== 401) {
      if (Date.now() - start > 1000) throw new Error("the token still works a second after the revocation");
      await new Promise((r) => setTimeout(r, 25));
    }
    const after = onlyJson(await cli("app", "list", "--workspace", owner.workspace.id));
    expect(after.apps[0]).toMatchObject({ id, status: "revoked", revoked_by: "user" });
  });

  test("when the workspace or the record does not exist, then the command fails with not_found", async () => {
    expect(onlyJson(await cli("app", "list", "--workspace", "nope")).error).toMatchObject({ code: "not_found" });
    expect(onlyJson(await cli("app", "revoke", "--id", "nope")).error).toMatchObject({ code: "not_found" });
  });
});
