import { startTestServer, type TestServer } from "../../support/app.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function metadata(path: string) {
  const res = await fetch(`${t.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("authorization server metadata", () => {
  test("when the RFC 8414 document is read, then it describes a code-only, S256-only server at the site root", async () => {
    const m = await metadata("/.well-known/oauth-authorization-server");
    expect(m.issuer).toBe(t.url);
    expect(m.authorization_endpoint).toBe(`${t.url}/auth`);
    expect(m.token_endpoint).toBe(`${t.url}/token`);
    expect(m.revocation_endpoint).toBe(`${t.url}/token/revocation`);
    expect(m.introspection_endpoint).toBe(`${t.url}/token/introspection`);
    expect(m.response_types_supported).toEqual(["code"]);
    expect(m.code_challenge_methods_supported).toEqual(["S256"]);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    expect(m.grant_types_supported).not.toContain("implicit");
    expect(m.grant_types_supported).not.toContain("password");
    expect(m.grant_types_supported).not.toContain("client_credentials");
    expect(m.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post", "none"]);
    expect(m.scopes_supported).toEqual(
      expect.arrayContaining(["subscribers:read", "subscribers:write", "tags:read", "tags:write", "offline_access"]),
    );
  });

  test("when the OpenID document is read, then it is the same document", async () => {
    expect(await metadata("/.well-known/openid-configuration")).toEqual(await metadata("/.well-known/oauth-authorization-server"));
  });

  test("when PAR and DPoP are looked for, then the pushed-request endpoint and the DPoP algorithms are advertised, and PAR is not required of every app", async () => {
    const m = await metadata("/.well-known/oauth-authorization-server");
    expect(m.pushed_authorization_request_endpoint).toBe(`${t.url}/request`);
    expect(m.require_pushed_authorization_requests ?? false).toBe(false);
    expect(m.dpop_signing_alg_values_supported).toEqual(["ES256", "Ed25519", "EdDSA"]);
  });

  test("when features that are off are looked for, then none is advertised or served", async () => {
    const m = await metadata("/.well-known/oauth-authorization-server");
    for (const absent of [
      "registration_endpoint",
      "device_authorization_endpoint",
      "userinfo_endpoint",
      "end_session_endpoint",
    ]) {
      expect(m).not.toHaveProperty(absent);
    }
    for (const path of ["/reg", "/device/auth", "/me", "/session/end"]) {
      expect((await fetch(`${t.url}${path}`, { method: "POST" })).status).toBe(404);
    }
  });
});
