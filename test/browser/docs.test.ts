import { jest } from "@jest/globals";
import type { Browser } from "playwright-core";
import { allOperations } from "../../src/openapi/operations.js";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser } from "../support/browser.js";

jest.setTimeout(120_000);

let t: TestServer;
let browser: Browser;

beforeAll(async () => {
  t = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("/docs: the OpenAPI document rendered by Swagger UI", () => {
  test("when /docs is opened, then every operation renders under the strict CSP, with no violation and no request to another origin", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("request", (req) => {
      if (!req.url().startsWith("data:")) origins.add(new URL(req.url()).origin);
    });
    const res = await page.goto(`${t.url}/docs`);
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe");

    await page.locator(".opblock").first().waitFor();
    expect(await page.locator(".opblock").count()).toBe(allOperations.length);
    await expect(page.locator(".opblock-summary-path").allInnerTexts()).resolves.toContain("/v1/subscribers/{id}");
    // Both security schemes are offered under Authorize.
    await page.locator("button.authorize").click();
    await expect(page.locator(".auth-container h4").allInnerTexts()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining("apiKey"), expect.stringContaining("oauth2")]),
    );
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([t.url]);
    await context.close();
  });

  test("when a file of the package other than the three the page loads is asked for, then 404", async () => {
    expect((await fetch(`${t.url}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${t.url}/docs/assets/package.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/docs/assets/index.html`)).status).toBe(404);
  });
});
