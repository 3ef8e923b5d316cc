import * as oauth from "openid-client";
// The RFC 9728 client of oauth4webapi, the protocol library under openid-client (which installs it).
import { allowInsecureRequests, processResourceDiscoveryResponse, resourceDiscoveryRequest } from "oauth4webapi";
import request from "supertest";
import { allOperations } from "../../../src/openapi/operations.js";
import { startTestServer, type TestServer } from "../../support/app.js";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; parameters?: { name: string; in: string }[] }>>;
  components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, unknown> };
}

describe("GET /v1/openapi.json", () => {
  test("when fetched without a credential, then 200 with an OpenAPI 3.1 document of every operation", async () => {
    const res = await request(t.app).get("/v1/openapi.json").expect(200).expect("content-type", /application\/json/);
    const doc = res.body as Document;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: t.url }]);
    for (const op of allOperations) expect(doc.paths[op.path]?.[op.method]).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Error", "Subscriber", "Tag", "ApiKey", "AuthorizedApp", "Activity", "Workspace"]),
    );
    expect(doc.paths["/v1/subscribers"].get.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(["query:limit", "query:cursor", "header:DPoP"]);
  });

  test("when read, then it has both schemes: an API key as Bearer, and OAuth 2.0 authorization code with the /v1 scopes (and DPoP-bound tokens)", async () => {
    const doc = (await request(t.app).get("/v1/openapi.json").expect(200)).body as Document;
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.dpop).toMatchObject({ type: "http", scheme: "DPoP" });
    expect(doc.components.securitySchemes.oauth2).toMatchObject({
      type: "oauth2",
      flows: {
        authorizationCode: {
          authorizationUrl: `${t.url}/auth`,
          tokenUrl: `${t.url}/token`,
          scopes: expect.objectContaining({ "subscribers:read": expect.any(String), "tags:write": expect.any(String) }),
        },
      },
    });
    expect(doc.paths["/v1/tags/{id}"].delete.security).toEqual([{ apiKey: [] }, { oauth2: ["tags:write"] }, { dpop: ["tags:write"] }]);
    expect(doc.paths["/api/api-keys"].post.security).toEqual([{ session: [] }]);
  });

  test("when the authorization server's metadata is compared, then the document's OAuth endpoints are the discovered ones", async () => {
    const config = await oauth.discovery(new URL(t.url), "any-client", undefined, oauth.None(), {
      algorithm: "oauth2",
      execute: [oauth.allowInsecureRequests],
    });
    const doc = (await request(t.app).get("/v1/openapi.json")).body as Document;
    const flow = (doc.components.securitySchemes.oauth2.flows as Record<string, Record<string, string>>).authorizationCode;
    expect(flow.authorizationUrl).toBe(config.serverMetadata().authorization_endpoint);
    expect(flow.tokenUrl).toBe(config.serverMetadata().token_endpoint);
  });
});

describe("RFC 9728 protected-resource metadata", () => {
  test("when a client discovers the /v1 resource, then the metadata names it, its authorization server, scopes and header-only bearer", async () => {
    const resource = new URL(`${t.url}/v1`);
    const metadata = await processResourceDiscoveryResponse(
      resource,
      await resourceDiscoveryRequest(resource, { [allowInsecureRequests]: true }),
    );
    expect(metadata).toMatchObject({
      resource: `${t.url}/v1`,
      authorization_servers: [t.url],
      scopes_supported: ["subscribers:read", "subscribers:write", "tags:read", "tags:write"],
      bearer_methods_supported: ["header"],
      dpop_signing_alg_values_supported: ["ES256", "Ed25519", "EdDSA"],
    });
  });

  test("when /v1 refuses a DPoP-scheme request, then its DPoP challenge also names the metadata URL", async () => {
    const res = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: "DPoP mrk_not_a_bound_token" } });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^DPoP error="invalid_token"/);
    expect(challenge).toContain(`resource_metadata="${t.url}/.well-known/oauth-protected-resource/v1"`);
  });

  test("when /v1 answers 401, then its challenge names the metadata URL (resource_metadata)", async () => {
    const config = await oauth.discovery(new URL(t.url), "any-client", undefined, oauth.None(), {
      algorithm: "oauth2",
      execute: [oauth.allowInsecureRequests],
    });
    const err = await oauth
      .fetchProtectedResource(config, "not-a-token", new URL(`${t.url}/v1/workspace`), "GET")
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const [challenge] = (err as oauth.WWWAuthenticateChallengeError).cause;
    expect(challenge.scheme).toBe("bearer");
    expect(challenge.parameters.resource_metadata).toBe(`${t.url}/.well-known/oauth-protected-resource/v1`);
    expect(challenge.parameters.error).toBe("invalid_token");
  });

  test("when /api answers 401 (a session surface, not the OAuth resource), then its challenge has no resource_metadata", async () => {
    const res = await request(t.app).get("/api/workspaces").expect(401);
    expect(res.headers["www-authenticate"] ?? "").not.toContain("resource_metadata");
  });
});
