import net from "node:net";
import request from "supertest";
import { startTestApp, startTestServer, type TestApp, type TestServer } from "../../support/app.js";
import { formOf } from "../../support/connect-flow.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";

/** Every string value in the metadata that looks like a URL. */
function urlsIn(metadata: Record<string, unknown>): string[] {
  return Object.values(metadata).filter((v): v is string => typeof v === "string" && /^[a-z]+:\/\//i.test(v));
}

/** Sends one raw HTTP/1.1 request (any request target) and returns the status and body. */
function rawRequest(url: string, head: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(`${head}\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8").on("data", (d: string) => (text += d));
    socket.on("error", reject);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      // Bodies may come chunked: the JSON object is what sits between the first { and the last }.
      resolve({ status, body: body.slice(body.indexOf("{"), body.lastIndexOf("}") + 1) });
    });
  });
}

/** A PKCE authorization request for a freshly registered app, as a path. */
async function authPath(t: TestApp): Promise<string> {
  const client = await makeClient(t.ctx);
  const params = new URLSearchParams({
    client_id: client.id,
    redirect_uri: client.redirectUri,
    response_type: "code",
    scope: "subscribers:read",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    state: "s",
  });
  return `/auth?${params.toString()}`;
}

const providerCookies = (res: request.Response) =>
  ((res.headers["set-cookie"] as unknown as string[] | undefined) ?? []).filter((c) => c.startsWith("_"));

describe("URLs come from ISSUER, never from the request", () => {
  let anyHost: TestServer;
  beforeAll(async () => {
    anyHost = await startTestServer({ ALLOWED_HOSTS: "*" });
  });
  afterAll(() => anyHost.close());

  test("when discovery is asked with an absolute-form target naming another host, then it lists only ISSUER URLs", async () => {
    const res = await rawRequest(anyHost.url, "GET http://evil.example/.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example");
    expect(res.status).toBe(200);
    const metadata = JSON.parse(res.body) as Record<string, unknown>;
    expect(urlsIn(metadata).length).toBeGreaterThan(4);
    expect(urlsIn(metadata).filter((url) => !(url.startsWith(`${anyHost.url}/`) || url === anyHost.url))).toEqual([]);
    expect(res.body).not.toContain("evil.example");
  });

  test("when a client sends X-Forwarded-Host and -Proto of its own, then discovery still lists only ISSUER URLs", async () => {
    const res = await fetch(`${anyHost.url}/.well-known/oauth-authorization-server`, {
      headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    });
    const metadata = (await res.json()) as Record<string, unknown>;
    for (const url of urlsIn(metadata)) expect(url.startsWith(anyHost.url)).toBe(true);
  });
});

describe("an issuer at localhost asked through 127.0.0.1", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ISSUER: "http://localhost:4999" });
  });
  afterAll(() => t.close());

  test("when discovery is read with Host 127.0.0.1, then every URL names localhost, the issuer", async () => {
    const res = await request(t.app).get("/.well-known/openid-configuration").set("Host", "127.0.0.1:4999").expect(200);
    const urls = urlsIn(res.body as Record<string, unknown>);
    expect(urls).toContain("http://localhost:4999/token");
    for (const url of urls) expect(url.startsWith("http://localhost:4999")).toBe(true);
  });
});

describe("the provider's cookies follow the issuer's scheme", () => {
  test("when ISSUER is https (TLS ended by a proxy, TRUST_PROXY=0), then every provider cookie is Secure, even if the client claims http", async () => {
    const t = await startTestApp({ ISSUER: "https://auth.example.test", TRUST_PROXY: "0" });
    const res = await request(t.app).get(await authPath(t)).set("X-Forwarded-Proto", "http");
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/interaction\//);
    const cookies = providerCookies(res);
    expect(cookies.map((c) => c.split("=")[0]).sort()).toEqual(["_interaction", "_interaction.sig", "_interaction_resume", "_interaction_resume.sig"]);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure/i);
    await t.close();
  });

  test("when ISSUER is http (development), then the provider's cookies are not Secure, even if the client claims https", async () => {
    const t = await startTestApp();
    const res = await request(t.app).get(await authPath(t)).set("X-Forwarded-Proto", "https");
    expect(res.status).toBe(303);
    const cookies = providerCookies(res);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).not.toMatch(/;\s*secure/i);
    await t.close();
  });
});

/** The name=value pairs of Set-Cookie headers, merged into a jar (the test speaks http to an https issuer). */
function keep(jar: Map<string, string>, res: request.Response): string {
  for (const line of (res.headers["set-cookie"] as unknown as string[] | undefined) ?? []) {
    const pair = line.split(";")[0];
    jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

describe("an https issuer behind a TLS-ending proxy", () => {
  test("when a person signs in on the interaction page, then the provider reads its Secure cookies and sends them back to the ISSUER's resume URL", async () => {
    const t = await startTestApp({ ISSUER: "https://auth.example.test" });
    const { credentials } = await makeOwner(t.ctx);
    const jar = new Map<string, string>();
    const started = await request(t.app).get(await authPath(t)).expect(303);
    keep(jar, started);
    const page = await request(t.app).get(started.headers.location).set("Cookie", keep(jar, started)).expect(200);
    const { csrf, action } = formOf(page.text);
    const signedIn = await request(t.app)
      .post(action)
      .set("Cookie", keep(jar, page))
      .type("form")
      .send({ _csrf: csrf, ...credentials });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toMatch(/^https:\/\/auth\.example\.test\/auth\//);
    const resumed = await request(t.app).get(new URL(signedIn.headers.location).pathname).set("Cookie", keep(jar, signedIn));
    expect(resumed.status).toBe(303);
    const session = providerCookies(resumed).filter((c) => c.startsWith("_session"));
    expect(session.map((c) => c.split("=")[0]).sort()).toEqual(["_session", "_session.sig"]);
    for (const cookie of session) expect(cookie).toMatch(/;\s*secure/i);
    await t.close();
  });
});

describe("ALLOWED_HOSTS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ISSUER: "https://auth.example.test" });
  });
  afterAll(() => t.close());

  test("when the Host is the issuer's or a loopback one (any port), then the request is served", async () => {
    for (const host of ["auth.example.test", "localhost:5123", "127.0.0.1:61234", "[::1]:8080"]) {
      await request(t.app).get("/.well-known/openid-configuration").set("Host", host).expect(200);
    }
  });

  test("when the Host is unknown, then 400 in the area's own form: OAuth error, /v1 envelope, HTML page", async () => {
    const oauth = await request(t.app).get("/.well-known/openid-configuration").set("Host", "evil.example");
    expect(oauth.status).toBe(400);
    expect(oauth.body).toEqual({ error: "invalid_request", error_description: expect.any(String) });
    const v1 = await request(t.app).get("/v1/workspace").set("Host", "evil.example");
    expect(v1.status).toBe(400);
    expect(v1.body).toEqual({ error: { type: "invalid_request_error", code: "unknown_host", message: expect.any(String) } });
    const page = await request(t.app).get("/login").set("Host", "evil.example").set("Accept", "text/html");
    expect(page.status).toBe(400);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
  });

  test("when a health probe addresses the node by an unlisted name, then /health still answers", async () => {
    await request(t.app).get("/health").set("Host", "10.0.0.7:3000").expect(200);
  });

  test("when the request target is absolute-form with an unknown host, then it is refused like that Host", async () => {
    const server = await startTestServer();
    const res = await rawRequest(server.url, `GET http://evil.example/.well-known/openid-configuration HTTP/1.1\r\nHost: ${new URL(server.url).host}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_request" });
    await server.close();
  });

  test("when ALLOWED_HOSTS lists names, then those are served besides the issuer's and loopback, and no other", async () => {
    const listed = await startTestApp({ ISSUER: "https://auth.example.test", ALLOWED_HOSTS: "api.example.test, Other.Example.test" });
    for (const host of ["other.example.test", "api.example.test:8443", "auth.example.test", "127.0.0.1:1"]) {
      await request(listed.app).get("/.well-known/openid-configuration").set("Host", host).expect(200);
    }
    await request(listed.app).get("/.well-known/openid-configuration").set("Host", "evil.example").expect(400);
    await listed.close();
  });
});
