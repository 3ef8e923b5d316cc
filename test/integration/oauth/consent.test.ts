import * as oauth from "openid-client";
import { storageId } from "../../../src/oauth/prisma-adapter.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import {
  authorizationRequest,
  authorize,
  connect,
  discover,
  formOf,
  HttpBrowser,
  offeredWorkspaces,
  type TestClient,
} from "../../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { makeClient, makeOwner, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

type Credentials = { email: string; password: string };

/** Starts an authorization and stops on the page the person sees after signing in. */
async function pageAfterSignIn(client: TestClient, credentials?: Credentials, browser = new HttpBrowser(), scope?: string) {
  const config = await discover(t.url, client);
  const started = await authorizationRequest(config, client, { scope });
  const outcome = await authorize(browser, started.url, client.redirectUri, { user: credentials });
  if (outcome.kind !== "page") throw new Error(`expected a page, got a redirect to ${outcome.url}`);
  return { ...outcome, browser, config, started };
}

async function submit(browser: HttpBrowser, pageUrl: URL, html: string, fields: Record<string, string>) {
  const form = formOf(html);
  return browser.postForm(new URL(form.action, pageUrl), { _csrf: form.csrf, ...fields });
}

/** Follows redirects from a response until the app's redirect URI; returns that URL. */
async function toApp(browser: HttpBrowser, res: Response, from: URL, client: TestClient): Promise<URL> {
  let url = from;
  for (let i = 0; i < 10; i++) {
    const location = res.headers.get("location");
    if (!location) throw new Error(`no redirect: ${res.status} ${await res.text()}`);
    url = new URL(location, url);
    if (url.href.startsWith(client.redirectUri)) return url;
    res = await browser.get(url);
  }
  throw new Error("too many redirects");
}

describe("the consent page", () => {
  test("when an admin reaches it, then it shows the app, the scopes in plain language and only administered workspaces", async () => {
    const user = await makeUser(t.ctx);
    const owned = await makeWorkspace(t.ctx, "Owned & <Co>", [{ userId: user.id, role: "owner" }]);
    const administered = await makeWorkspace(t.ctx, "Administered", [{ userId: user.id, role: "admin" }]);
    const membered = await makeWorkspace(t.ctx, "Only member", [{ userId: user.id, role: "member" }]);
    const client = await makeClient(t.ctx, {
      name: "Newsletter Pro",
      logoUri: "https://cdn.example/logo.png",
      homepage: "https://newsletter.example/",
      scopes: "subscribers:read tags:read",
    });
    const page = await pageAfterSignIn(client, { email: user.email, password: user.password });
    expect(page.status).toBe(200);
    expect(page.html).toContain("Newsletter Pro wants to access a workspace");
    expect(page.html).toContain('src="https://cdn.example/logo.png"');
    expect(page.html).toContain('href="https://newsletter.example/"');
    expect(page.html).toContain("See your subscribers and their tags");
    expect(page.html).toContain("See your tags");
    expect(page.html).toContain("Keep this access when you are not using the app");
    // Not registered for the write scopes: not asked, not shown.
    expect(page.html).not.toContain("Add, change and delete subscribers");
    expect(page.html).toContain('<label for="workspace_id">Workspace</label>');
    expect(page.html).toContain('<select id="workspace_id" name="workspace_id"');
    expect(offeredWorkspaces(page.html).sort()).toEqual([owned.id, administered.id].sort());
    expect(offeredWorkspaces(page.html)).not.toContain(membered.id);
    expect(page.html).toContain("Owned &amp; &lt;Co&gt;");
    expect(page.html).toContain('<button type="submit" name="decision" value="allow">Allow access</button>');
    expect(page.html).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
  });

  test("when the person denies, then the app gets access_denied and nothing is recorded", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client, credentials);
    const res = await submit(page.browser, page.url, page.html, { decision: "deny" });
    const back = await toApp(page.browser, res, page.url, client);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe(page.started.state);
    expect(back.searchParams.get("code")).toBeNull();
    expect(await t.ctx.db.authorizedApp.count({ where: { clientId: client.id } })).toBe(0);
  });

  test("when a member edits the form to post a workspace they do not administer, then it is 403 and no grant exists", async () => {
    const user = await makeUser(t.ctx);
    await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "owner" }]);
    const foreign = await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "member" }]);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client, { email: user.email, password: user.password });
    const grantsBefore = await t.ctx.db.oidcModel.count({ where: { type: "Grant" } });
    const res = await submit(page.browser, page.url, page.html, { decision: "allow", workspace_id: foreign.id });
    expect(res.status).toBe(403);
    expect(res.headers.get("location")).toBeNull();
    expect(await t.ctx.db.authorizedApp.count({ where: { clientId: client.id } })).toBe(0);
    expect(await t.ctx.db.oidcModel.count({ where: { type: "Grant" } })).toBe(grantsBefore);
  });

  test("when the form is posted without its CSRF token, then it is refused and nothing is granted", async () => {
    const { credentials, workspace } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client, credentials);
    const { action } = formOf(page.html);
    const res = await page.browser.postForm(new URL(action, page.url), { decision: "allow", workspace_id: workspace.id });
    expect(res.status).toBe(403);
    expect(await t.ctx.db.authorizedApp.count({ where: { clientId: client.id } })).toBe(0);
  });

  test("when the person administers no workspace, then an explanation and a way back that returns access_denied are shown", async () => {
    const user = await makeUser(t.ctx);
    await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "member" }]);
    const client = await makeClient(t.ctx, { name: "Lonely App" });
    const page = await pageAfterSignIn(client, { email: user.email, password: user.password });
    expect(page.html).toContain("Lonely App cannot be connected");
    expect(page.html).toContain("You do not own or administer any workspace");
    expect(page.html).not.toContain("<select");
    expect(page.html).toContain(">Back to Lonely App</button>");
    const res = await submit(page.browser, page.url, page.html, { decision: "deny" });
    const back = await toApp(page.browser, res, page.url, client);
    expect(back.searchParams.get("error")).toBe("access_denied");
  });

  test.each([
    ["the sign-in page", false],
    ["the consent page", true],
  ])("when %s of an authorization is served, then it cannot be framed, cached or leak its URL", async (_name, signIn) => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client, signIn ? credentials : undefined);
    expect(page.html).toContain(signIn ? "Allow access" : 'name="password"');
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:9");
    expect(csp).toContain("img-src 'self' https: data:");
  });

  test("when the no-workspace page is served, then it has the same headers", async () => {
    const user = await makeUser(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client, { email: user.email, password: user.password });
    expect(page.html).toContain("cannot be connected");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self' http://127.0.0.1:9");
  });

  test("when the interaction is unknown or its cookie is missing, then a plain error page is shown", async () => {
    const res = await fetch(`${t.url}/interaction/not-a-real-one`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired or was already completed");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("signing in during an authorization", () => {
  test("when the person is already signed in to our pages, then the sign-in form is skipped", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const browser = new HttpBrowser();
    const login = await browser.get(`${t.url}/login`);
    const form = formOf(await login.text());
    const signedIn = await browser.postForm(`${t.url}/login`, { _csrf: form.csrf, ...credentials });
    expect(signedIn.status).toBe(303);
    const page = await pageAfterSignIn(client, undefined, browser);
    expect(page.html).toContain("Allow access");
    expect(page.html).not.toContain('name="password"');
  });

  test("when the person is not signed in, then our sign-in form is shown and a wrong password gets the usual message", async () => {
    const { user } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Form App" });
    const page = await pageAfterSignIn(client);
    expect(page.html).toContain('<label for="email">Email</label>');
    expect(page.html).toContain('<label for="password">Password</label>');
    expect(page.html).toContain(">Sign in</button>");
    expect(page.html).toContain("Sign in to continue to <strong>Form App</strong>");
    const res = await submit(page.browser, page.url, page.html, { email: user.email, password: "wrong password" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Incorrect email or password.");
  });

  test("when the sign-in form is posted without its CSRF token, then it is refused and nobody is signed in", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client);
    const res = await page.browser.postForm(new URL(formOf(page.html).action, page.url), credentials);
    expect(res.status).toBe(403);
    expect(page.browser.cookie("wa_session")).toBeUndefined();
  });

  test("when an account keeps failing to sign in during authorizations, then even the right password is refused for a while", async () => {
    const { user, credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const page = await pageAfterSignIn(client);
    const form = formOf(page.html);
    const target = new URL(form.action, page.url);
    for (let i = 0; i < t.config.rateLimit.loginFailuresPer15Minutes; i++) {
      const res = await page.browser.postForm(target, { _csrf: form.csrf, email: user.email, password: `wrong ${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await page.browser.postForm(target, { _csrf: form.csrf, ...credentials });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  test("when the person signs in during an authorization, then the same session signs them in to our pages", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { browser } = await connect({ issuer: t.url, client, user: credentials });
    expect(browser.cookie("wa_session")).toEqual(expect.any(String));
    const res = await browser.get(`${t.url}/login`);
    expect(res.status).toBe(303);
  });

  test("when another person signs in on a browser where the provider still remembers the first, then the request restarts for them", async () => {
    const first = await makeOwner(t.ctx);
    const second = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { browser } = await connect({ issuer: t.url, client, user: first.credentials });
    // The first person signs out of our pages; the provider's own session cookie stays in the browser.
    browser.forget("wa_session");
    const page = await pageAfterSignIn(client, second.credentials, browser);
    expect(offeredWorkspaces(page.html)).toEqual([second.workspace.id]);
    const res = await submit(page.browser, page.url, page.html, { decision: "allow", workspace_id: second.workspace.id });
    const back = await toApp(browser, res, page.url, client);
    const tokens = await oauth.authorizationCodeGrant(page.config, back, {
      pkceCodeVerifier: page.started.codeVerifier,
      expectedState: page.started.state,
    });
    const workspace = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await workspace.json()) as { data: { id: string } }).data.id).toBe(second.workspace.id);
  });
});

describe("approvals and the registry", () => {
  test("when the app asks again, then consent is asked again and the workspace chosen again", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { browser } = await connect({ issuer: t.url, client, user: credentials });
    const again = await pageAfterSignIn(client, undefined, browser);
    expect(again.html).toContain("Allow access");
  });

  test("when the same workspace approves again, then the active record is updated and gets a second, new grant", async () => {
    const owner = await makeOwner(t.ctx);
    const admin = await makeUser(t.ctx);
    await t.ctx.db.membership.create({ data: { workspaceId: owner.workspace.id, userId: admin.id, role: "admin" } });
    const client = await makeClient(t.ctx);
    const first = await connect({ issuer: t.url, client, user: owner.credentials, scope: "subscribers:read" });
    const second = await connect({
      issuer: t.url,
      client,
      user: { email: admin.email, password: admin.password },
      scope: "tags:read tags:write",
    });
    const records = await t.ctx.db.authorizedApp.findMany({ where: { clientId: client.id }, include: { grants: true } });
    expect(records).toHaveLength(1);
    // The record's permissions are the union over its live grants: the first grant still reads subscribers.
    expect(records[0]).toMatchObject({ status: "active", scopes: "subscribers:read tags:read tags:write", approvedById: admin.id });
    expect(new Set(records[0].grants.map((g) => g.grantId)).size).toBe(2);
    // Each token keeps the scopes of its own approval.
    expect(await v1Status(t.url, first.tokens.access_token, "/v1/subscribers")).toBe(200);
    expect(await v1Status(t.url, first.tokens.access_token, "/v1/tags")).toBe(403);
    expect(await v1Status(t.url, second.tokens.access_token, "/v1/tags")).toBe(200);
    expect(await v1Status(t.url, second.tokens.access_token, "/v1/subscribers")).toBe(403);
  });

  test("when the person approves two workspaces, then there are two records and each token opens its own workspace", async () => {
    const user = await makeUser(t.ctx);
    const w1 = await makeWorkspace(t.ctx, "First", [{ userId: user.id, role: "owner" }]);
    const w2 = await makeWorkspace(t.ctx, "Second", [{ userId: user.id, role: "admin" }]);
    const client = await makeClient(t.ctx);
    const credentials = { email: user.email, password: user.password };
    const a = await connect({ issuer: t.url, client, user: credentials, workspaceId: w1.id });
    const b = await connect({ issuer: t.url, client, user: credentials, workspaceId: w2.id });
    const workspaceOf = async (token: string) =>
      ((await (await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { id: string } }).data.id;
    expect(await workspaceOf(a.tokens.access_token)).toBe(w1.id);
    expect(await workspaceOf(b.tokens.access_token)).toBe(w2.id);
    const records = await t.ctx.db.authorizedApp.findMany({ where: { clientId: client.id }, include: { grants: true } });
    expect(records.map((r) => r.workspaceId).sort()).toEqual([w1.id, w2.id].sort());
    expect(records.every((r) => r.grants.length === 1)).toBe(true);
  });

  test("when the person signs out and their sign-in sessions end, then the app stays connected", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const offline = await connect({ issuer: t.url, client, user: credentials });
    // Without offline_access the library would bind tokens to the sign-in session by default.
    const online = await connect({ issuer: t.url, client, user: credentials, scope: "subscribers:read", browser: offline.browser });
    const { browser } = offline;
    // Any form rendered for the signed-in person carries a CSRF token valid for /logout.
    const page = await pageAfterSignIn(client, undefined, browser);
    const out = await browser.postForm(`${t.url}/logout`, { _csrf: formOf(page.html).csrf });
    expect(out.status).toBe(303);
    expect(await t.ctx.db.webSession.count({ where: { user: { email: credentials.email } } })).toBe(0);
    expect(await t.ctx.db.oidcModel.deleteMany({ where: { type: "Session", id: storageId("Session", browser.cookie("_session")!) } })).toEqual({ count: 1 });

    for (const token of [offline.tokens.access_token, online.tokens.access_token]) {
      expect(await v1Status(t.url, token)).toBe(200);
      const introspection = await tokenEndpoint(`${t.url}/token/introspection`, client, { token });
      expect(introspection.body.active).toBe(true);
    }
    const refreshed = await oauth.refreshTokenGrant(offline.config, offline.tokens.refresh_token!);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);
  });
});
