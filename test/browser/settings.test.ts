import { jest } from "@jest/globals";
import type { Browser, Locator, Page } from "playwright-core";
import * as oauth from "openid-client";
import { CLI } from "../../src/audit/audit-log.js";
import { createClient } from "../../src/oauth/clients/create-client.js";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser, signInToSettings } from "../support/browser.js";
import { connect } from "../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../support/fixtures.js";

jest.setTimeout(180_000);

// A real server whose ISSUER is its own URL, so that an app can also connect through OAuth.
let t: TestServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof makeUser>>;
let member: Awaited<ReturnType<typeof makeUser>>;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;

beforeAll(async () => {
  t = await startTestServer();
  browser = await launchBrowser();
  [owner, member] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx)]);
  ws = await makeWorkspace(t.ctx, "Browser Co", [
    { userId: owner.id, role: "owner" },
    { userId: member.id, role: "member" },
  ]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** GET /v1/workspace with a key or access token, as an integration would call it; returns the status. */
async function v1Status(credential: string): Promise<number> {
  const res = await fetch(`${t.url}/v1/workspace`, { headers: { Authorization: `Bearer ${credential}` } });
  return res.status;
}

/** A fresh browser profile signed in as the user through the login form. */
const signInAs = (user: { email: string; password: string }, javaScriptEnabled = true) =>
  signInToSettings(browser, t.url, user, javaScriptEnabled);

function keyRow(page: Page, name: string) {
  return page.locator("tbody tr", { has: page.getByText(name, { exact: true }) });
}

describe("Settings in Chromium", () => {
  test("when an admin generates, rotates and revokes a key in the UI, then /v1 follows each step at once", async () => {
    const { context, page } = await signInAs(owner);
    await expectHeaderAndTabs(page, owner.email);

    await page.getByRole("link", { name: "Generate API Key" }).click();
    const form = page.getByRole("dialog", { name: "Generate API Key" });
    await form.waitFor();
    expect(page.url()).toMatch(/\/settings\/api-keys$/); // opened in place by settings.js
    await form.getByLabel("Workspace").selectOption({ label: "Browser Co" });
    await form.getByLabel("Name").fill("Browser key");
    await form.getByLabel("Access Level").selectOption({ label: "Read and Write" });
    expect(await form.getByLabel("Expiration date").isHidden()).toBe(true);
    await form.getByLabel("Expiration", { exact: true }).selectOption({ label: "30 days" });
    await form.getByRole("button", { name: "Generate" }).click();

    const saved = page.getByRole("dialog", { name: "Save Your API Key" });
    await saved.waitFor();
    await visible(saved.getByText("This key will not be shown again."));
    await visible(saved.getByRole("button", { name: "Copy" }));
    const key = await saved.getByLabel("API key").inputValue();
    expect(key).toMatch(/^mrk_/);
    expect(await v1Status(key)).toBe(200);

    // Reloading re-posts the same one-time form: nothing new is created and the secret is not shown again.
    const reload = await page.reload();
    expect(reload?.request().method()).toBe("POST");
    const again = page.getByRole("dialog", { name: "Key already created" });
    await again.waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await t.ctx.db.apiKey.count({ where: { name: "Browser key" } })).toBe(1);

    await again.getByRole("link", { name: "Done" }).click();
    await page.waitForURL("**/settings/api-keys");
    expect(await keyRow(page, "Browser key").textContent()).toContain("Read and Write");
    expect(await page.content()).not.toContain(key);

    await keyRow(page, "Browser key").getByRole("link", { name: "Rotate" }).click();
    const confirmRotate = page.getByRole("dialog", { name: "Rotate API key “Browser key”?" });
    await confirmRotate.getByRole("button", { name: "Rotate key" }).click();
    const rotated = page.getByRole("dialog", { name: "Save Your API Key" });
    await rotated.waitFor();
    const newKey = await rotated.getByLabel("API key").inputValue();
    expect(newKey).not.toBe(key);
    expect(await v1Status(key)).toBe(401);
    expect(await v1Status(newKey)).toBe(200);
    await rotated.getByRole("link", { name: "Done" }).click();
    await page.waitForURL("**/settings/api-keys");

    await keyRow(page, "Browser key").getByRole("link", { name: "Revoke" }).click();
    await page.getByRole("dialog", { name: "Revoke API key “Browser key”?" }).getByRole("button", { name: "Revoke key" }).click();
    await page.getByText("The API key was revoked.").waitFor();
    expect(await v1Status(newKey)).toBe(401);
    const row = keyRow(page, "Browser key");
    expect(await row.textContent()).toContain("Revoked");
    expect(await row.getByRole("link", { name: "Rotate" }).count()).toBe(0);
    await context.close();
  });

  test("when JavaScript is off, then generating a key still works through plain pages and the key is shown once", async () => {
    const { context, page } = await signInAs(owner, false);
    await page.getByRole("link", { name: "Generate API Key" }).click();
    await page.waitForURL("**/settings/api-keys/new");
    const form = page.getByRole("dialog", { name: "Generate API Key" });
    await form.getByLabel("Name").fill("No-JS key");
    await form.getByLabel("Expiration", { exact: true }).selectOption({ label: "A chosen date" });
    await form.getByLabel("Expiration date").fill("2099-12-31");
    await form.getByRole("button", { name: "Generate" }).click();
    const saved = page.getByRole("dialog", { name: "Save Your API Key" });
    await saved.waitFor();
    expect(await saved.getByRole("button", { name: "Copy" }).isHidden()).toBe(true);
    const key = await saved.getByLabel("API key").inputValue();
    expect(await v1Status(key)).toBe(200);
    const row = await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: "No-JS key" } });
    expect(row.expiresAt?.toISOString()).toBe("2099-12-31T23:59:59.000Z");

    await page.goto("/settings/api-keys");
    await keyRow(page, "No-JS key").getByRole("link", { name: "Revoke" }).click();
    await page.waitForURL(/\/revoke$/);
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByText("The API key was revoked.").waitFor();
    expect(await v1Status(key)).toBe(401);
    await context.close();
  });

  test("when an app connected through OAuth is revoked in Authorized Apps, then its tokens fail on /v1 at once", async () => {
    const issued = await createClient(t.ctx.db, {
      name: "Newsletter Insights",
      redirectUris: ["http://127.0.0.1:9/callback"],
      actor: CLI,
    });
    const client = { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: "http://127.0.0.1:9/callback" };
    const { tokens, config } = await connect({ issuer: t.url, client, user: owner, workspaceId: ws.id, scope: "subscribers:read tags:read offline_access" });
    expect(await v1Status(tokens.access_token)).toBe(200);

    const { context, page } = await signInAs(owner);
    await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Authorized Apps" }).click();
    await page.waitForURL("**/settings/authorized-apps");
    expect(await page.getByLabel("Workspace").inputValue()).toBe(ws.id);
    const row = page.locator("tbody tr", { has: page.getByText("Newsletter Insights", { exact: true }) });
    const text = await row.textContent();
    expect(text).toContain("Read subscribers");
    expect(text).toContain("Read tags");
    expect(text).toContain("Active");

    await row.getByRole("link", { name: "Revoke" }).click();
    await page.getByRole("dialog", { name: "Revoke access for “Newsletter Insights”?" }).getByRole("button", { name: "Revoke access" }).click();
    await page.getByText("Access was revoked.").waitFor();
    expect(await v1Status(tokens.access_token)).toBe(401);
    await expect(oauth.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    expect(await row.textContent()).toContain("Revoked");
    expect(await row.getByRole("link", { name: "Revoke" }).count()).toBe(0);

    await page.getByRole("link", { name: "Activity" }).click();
    await page.getByText("Revoked app “Newsletter Insights”").waitFor();
    await visible(page.getByText("Authorized app “Newsletter Insights” (Read subscribers, Read tags)"));
    await context.close();
  });

  test("when a member signs in, then they see an explanation and the server refuses their admin actions", async () => {
    const { context, page } = await signInAs(member);
    await visible(page.getByRole("heading", { name: "Only workspace owners and admins can manage API keys" }));
    expect(await page.getByRole("link", { name: "Generate API Key" }).count()).toBe(0);
    const refused = await page.evaluate(async (workspaceId) => {
      const { token } = (await (await fetch("/api/csrf-token")).json()) as { token: string };
      const res = await fetch("/api/api-keys", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: JSON.stringify({ workspace_id: workspaceId, name: "sneaky", access: "read_write" }),
      });
      return { status: res.status, body: (await res.json()) as { error: { type: string } } };
    }, ws.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe("permission_error");
    const page403 = await page.goto("/settings/api-keys/new");
    expect(page403?.status()).toBe(403);
    expect(await t.ctx.db.apiKey.count({ where: { name: "sneaky" } })).toBe(0);
    await context.close();
  });

  test("when a form is posted without its CSRF token, then the server refuses it", async () => {
    const { context, page } = await signInAs(owner);
    await page.getByRole("link", { name: "Generate API Key" }).click();
    const form = page.getByRole("dialog", { name: "Generate API Key" });
    await form.getByLabel("Name").fill("Forged");
    await form.locator('input[name="_csrf"]').evaluate((input) => input.remove());
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      form.getByRole("button", { name: "Generate" }).click(),
    ]);
    expect(response.status()).toBe(403);
    await visible(page.getByText("The form expired or was not sent from this site."));
    expect(await t.ctx.db.apiKey.count({ where: { name: "Forged" } })).toBe(0);
    await context.close();
  });
});

/** Waits until the element is shown (playwright-core has no expect of its own). */
function visible(locator: Locator): Promise<void> {
  return locator.waitFor({ state: "visible" });
}

async function expectHeaderAndTabs(page: Page, email: string) {
  await visible(page.getByRole("link", { name: "Workspace Auth" }));
  await visible(page.getByText(email));
  await visible(page.getByRole("button", { name: "Sign out" }));
  const tabs = page.getByRole("navigation", { name: "Settings sections" });
  for (const tab of ["API Keys", "Authorized Apps", "Activity"]) await visible(tabs.getByRole("link", { name: tab }));
}
