import { CLI } from "../../../src/audit/audit-log.js";
import { createClient } from "../../../src/oauth/clients/create-client.js";
import { listClients } from "../../../src/oauth/clients/list-clients.js";
import { validateRedirectUri } from "../../../src/oauth/clients/redirect-uris.js";
import { startTestApp, type TestApp } from "../../support/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("redirect URIs at registration", () => {
  test.each([
    "https://app.example/callback",
    "https://app.example:8443/oauth/callback?tenant=1",
    "http://127.0.0.1:8080/callback",
    "http://localhost:3000/cb",
    "http://[::1]:9000/cb",
  ])("when %s is registered, then it is accepted as is", (uri) => {
    expect(validateRedirectUri(uri)).toBe(uri);
  });

  test.each([
    ["plain http on a public host", "http://app.example/callback"],
    ["a custom scheme", "myapp://callback"],
    ["a fragment", "https://app.example/callback#x"],
    ["an empty fragment", "https://app.example/callback#"],
    ["a wildcard host", "https://*.app.example/callback"],
    ["a wildcard path", "https://app.example/*"],
    ["user info", "https://good.example@evil.example/callback"],
    ["a relative URL", "/callback"],
    ["a non-canonical host", "https://App.Example/callback"],
    ["a missing path", "https://app.example"],
    ["http on a look-alike loopback name", "http://localhost.evil.example/cb"],
  ])("when it has %s, then registration refuses it", (_name, uri) => {
    expect(() => validateRedirectUri(uri)).toThrow(/redirect URI/);
  });
});

describe("registering clients", () => {
  test("when a confidential client is created, then its secret is returned once and only its digest is stored", async () => {
    const issued = await createClient(t.ctx.db, { name: "Secret App", redirectUris: ["https://a.example/cb"], actor: CLI });
    expect(issued.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.ctx.db.oAuthClient.findUniqueOrThrow({ where: { id: issued.client.client_id } });
    expect(JSON.stringify(row)).not.toContain(issued.clientSecret);
    expect(row.secretDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.client.scopes).toEqual(["subscribers:read", "subscribers:write", "tags:read", "tags:write"]);
    const listed = await listClients(t.ctx.db);
    expect(JSON.stringify(listed)).not.toContain(row.secretDigest);
    const audit = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "client.created", targetId: row.id } });
    expect(audit.details).not.toContain(issued.clientSecret);
  });

  test("when a public client is created, then it has no secret", async () => {
    const issued = await createClient(t.ctx.db, { name: "SPA", redirectUris: ["https://spa.example/cb"], isPublic: true, actor: CLI });
    expect(issued.clientSecret).toBeNull();
    expect(issued.client.public).toBe(true);
  });

  test.each([
    ["an unknown scope", { scopes: "subscribers:read admin" }, /unknown scope/],
    ["no redirect URI", { redirectUris: [] }, /at least one redirect URI/],
    ["an http logo", { logoUri: "http://cdn.example/logo.png" }, /logo URI/],
    ["an empty name", { name: "  " }, /name/],
  ])("when a client is created with %s, then it is refused", async (_name, override, message) => {
    await expect(
      createClient(t.ctx.db, { name: "Bad", redirectUris: ["https://a.example/cb"], actor: CLI, ...override }),
    ).rejects.toThrow(message);
  });
});
