import type { Browser, BrowserContext, Page } from "playwright-core";
import * as oauth from "openid-client";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser } from "../support/browser.js";
import { authorizationRequest, discover, type TestClient } from "../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../support/fixtures.js";
import { makeClient, REDIRECT_URI } from "../support/oauth-helpers.js";

let t: TestServer;
let browser: Browser;
let context: BrowserContext;
beforeAll(async () => {
  t = await startTestServer();
  browser = await launchBrowser();
});
// Each test is a different person in a fresh browser profile: nobody is signed in at its start.
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
});
afterEach(() => context.close());
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

// A 1x1 PNG, served as the app's remote logo.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

/** A page whose requests to the app (its redirect URI and its logo host) are answered here, not on the network. */
async function appPage(): Promise<Page> {
  const page = await context.newPage();
  await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>back at the app</p>" }));
  await page.route("https://cdn.example/**", (route) => route.fulfill({ status: 200, contentType: "image/png", body: PNG }));
  return page;
}

async function setUp() {
  const user = await makeUser(t.ctx);
  const first = await makeWorkspace(t.ctx, "Alpha", [{ userId: user.id, role: "owner" }]);
  const second = await makeWorkspace(t.ctx, "Beta", [{ userId: user.id, role: "admin" }]);
  const client = await makeClient(t.ctx, { name: "Browser App", logoUri: "https://cdn.example/logo.png", homepage: "https://app.example/" });
  return { user, first, second, client };
}

async function start(client: TestClient, state?: string) {
  const config = await discover(t.url, client);
  const started = await authorizationRequest(config, client, { state });
  return { config, started };
}

async function signIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("the connect flow in Chromium", () => {
  test("when a person signs in, picks a workspace and allows access, then the app gets a code for that workspace", async () => {
    const { user, second, client } = await setUp();
    const { config, started } = await start(client);
    const page = await appPage();
    const pageHeaders: Record<string, string>[] = [];
    page.on("response", (res) => {
      if (new URL(res.url()).pathname.startsWith("/interaction/") && res.request().method() === "GET" && res.status() === 200) {
        pageHeaders.push(res.headers());
      }
    });
    await page.goto(started.url.href);
    await signIn(page, user);

    await page.getByRole("heading", { name: "Browser App wants to access a workspace" }).waitFor();
    expect(await page.locator("img.app-logo").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await page.getByLabel("Workspace").selectOption({ label: "Beta" });
    await page.getByRole("button", { name: "Allow access" }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);

    const callback = new URL(page.url());
    expect(callback.searchParams.get("iss")).toBe(t.url);
    const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.codeVerifier, expectedState: started.state });
    const res = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await res.json()).toEqual({ data: { id: second.id, name: "Beta" } });

    // The sign-in page and the consent page, both with the interaction headers.
    expect(pageHeaders).toHaveLength(2);
    for (const headers of pageHeaders) {
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["cache-control"]).toBe("no-store");
      expect(headers["referrer-policy"]).toBe("no-referrer");
      expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(headers["content-security-policy"]).toContain("form-action 'self' http://127.0.0.1:9");
    }
    await page.close();
  });

  test("when the person denies, then the app receives access_denied", async () => {
    const { user, client } = await setUp();
    const { started } = await start(client);
    const page = await appPage();
    await page.goto(started.url.href);
    await signIn(page, user);
    await page.getByRole("button", { name: "Deny" }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    const callback = new URL(page.url());
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe(started.state);
    expect(callback.searchParams.get("code")).toBeNull();
    await page.close();
  });

  test("when state holds HTML, then no page runs it and it comes back to the app exactly", async () => {
    const { user, client } = await setUp();
    const state = `"><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
    const { started } = await start(client, state);
    const page = await appPage();
    await page.goto(started.url.href);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await signIn(page, user);
    await page.getByRole("button", { name: "Allow access" }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.content()).not.toContain("<script>window.__pwned");
    await page.getByRole("button", { name: "Allow access" }).click();
    await page.waitForURL(`${REDIRECT_URI}**`);
    expect(new URL(page.url()).searchParams.get("state")).toBe(state);
    await page.close();
  });

  test("when the consent page is opened on a phone-sized screen, then it fits without sideways scrolling", async () => {
    const { user, client } = await setUp();
    const { started } = await start(client);
    const page = await appPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(started.url.href);
    await signIn(page, user);
    await page.getByRole("button", { name: "Allow access" }).waitFor();
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.view);
    await page.close();
  });
});
