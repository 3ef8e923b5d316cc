import { jest } from "@jest/globals";
import type { Browser, Locator, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser, signInToSettings } from "../support/browser.js";
import { makeUser, makeWorkspace } from "../support/fixtures.js";

jest.setTimeout(180_000);

let t: TestServer;
let browser: Browser;
let owner: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await startTestServer();
  browser = await launchBrowser();
  owner = await makeUser(t.ctx);
  await makeWorkspace(t.ctx, "Controls Co", [{ userId: owner.id, role: "owner" }]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function v1Status(key: string, path = "/v1/workspace"): Promise<number> {
  return (await fetch(`${t.url}${path}`, { headers: { Authorization: `Bearer ${key}` } })).status;
}

const signIn = async (): Promise<Page> => (await signInToSettings(browser, t.url, owner)).page;

const isVisible = (l: Locator) => l.isVisible();

describe("key controls in Chromium", () => {
  test("when an admin picks Custom and ticks two permissions, then the key can do exactly those; rotating with a 24 hour overlap keeps both secrets working", async () => {
    const page = await signIn();
    await page.getByRole("link", { name: "Generate API Key" }).click();
    const form = page.getByRole("dialog", { name: "Generate API Key" });
    await form.waitFor();
    await form.getByLabel("Name").fill("Custom key");
    // The checkboxes appear only with Custom.
    expect(await isVisible(form.getByLabel("Read tags"))).toBe(false);
    await form.getByLabel("Access Level").selectOption({ label: "Custom" });
    expect(await isVisible(form.getByLabel("Read tags"))).toBe(true);
    await form.getByLabel("Read subscribers").check();
    await form.getByLabel("Create and delete tags").check();
    await form.getByRole("button", { name: "Generate" }).click();

    const saved = page.getByRole("dialog", { name: "Save Your API Key" });
    await saved.waitFor();
    expect(await saved.textContent()).toContain("Custom: Read subscribers, Create and delete tags");
    const first = await saved.getByLabel("API key").inputValue();
    expect(await v1Status(first, "/v1/subscribers")).toBe(200);
    expect(await v1Status(first, "/v1/tags")).toBe(403); // tags:write without tags:read
    await saved.getByRole("link", { name: "Done" }).click();
    await page.waitForURL("**/settings/api-keys");

    const row = page.locator("tbody tr", { has: page.getByText("Custom key", { exact: true }) });
    await row.getByRole("link", { name: "Rotate" }).click();
    const confirm = page.getByRole("dialog", { name: "Rotate API key “Custom key”?" });
    await confirm.waitFor();
    await confirm.getByLabel("Old secret stops working").selectOption({ label: "In 24 hours" });
    await confirm.getByRole("button", { name: "Rotate key" }).click();
    const rotated = page.getByRole("dialog", { name: "Save Your API Key" });
    await rotated.waitFor();
    expect(await rotated.textContent()).toContain("The previous one keeps working until");
    const second = await rotated.getByLabel("API key").inputValue();
    expect(second).not.toBe(first);
    expect([await v1Status(first), await v1Status(second)]).toEqual([200, 200]);
    await rotated.getByRole("link", { name: "Done" }).click();
    await page.waitForURL("**/settings/api-keys");
    expect(await row.textContent()).toMatch(/Previous secret expires in 2[34] hours/);

    // Revoking during the overlap ends both secrets.
    await row.getByRole("link", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await page.waitForURL("**/settings/api-keys?notice=key_revoked");
    expect([await v1Status(first), await v1Status(second)]).toEqual([401, 401]);
  });
});
