import { jest } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser, signInToSettings } from "../support/browser.js";
import { makeKey, makeUser, makeWorkspace } from "../support/fixtures.js";
import { eventually } from "../support/eventually.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

jest.setTimeout(180_000);

let t: TestServer;
let browser: Browser;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  t = await startTestServer({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "1", WEBHOOK_RETRY_SCHEDULE: "100ms,100ms", WEBHOOK_POLL_INTERVAL_MS: "100" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await receiver?.close();
});

/** Adds an endpoint for every event through the dialog; returns the secret the dialog showed. */
async function addEndpoint(page: Page, url: string): Promise<string> {
  await page.getByRole("link", { name: "Add endpoint" }).click();
  const form = page.getByRole("dialog", { name: "Add webhook endpoint" });
  await form.getByLabel("Endpoint URL").fill(url);
  await form.getByLabel("All events").check();
  // The select-all box ticks every event (settings.js).
  expect(await form.getByRole("checkbox", { checked: false }).count()).toBe(0);
  await form.getByRole("button", { name: "Add endpoint" }).click();
  const dialog = page.getByRole("dialog", { name: "Save Your Signing Secret" });
  await dialog.waitFor();
  expect(await dialog.textContent()).toContain("will not be shown again");
  const secret = await dialog.getByLabel("Signing secret").inputValue();
  expect(secret).toMatch(/^whsec_/);
  await dialog.getByRole("link", { name: "Done" }).click();
  await page.waitForURL("**/settings/webhooks?workspace=*");
  expect(await page.content()).not.toContain(secret);
  return secret;
}

test("when an owner adds an endpoint and a key is created, then the endpoint page shows the signed delivery with its attempt, and Resend sends the same event again", async () => {
  const owner = await makeUser(t.ctx);
  const ws = await makeWorkspace(t.ctx, "Hooked Co", [{ userId: owner.id, role: "owner" }]);
  const { context, page } = await signInToSettings(browser, t.url, owner);
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.waitForURL("**/settings/webhooks");
  const endpoint = `${receiver.url}/hooks`;
  const secret = await addEndpoint(page, endpoint);

  const { record } = await makeKey(t.ctx, ws.id);
  const [first] = await receiver.waitFor("/hooks");
  const event = new Webhook(secret).verify(first.body, first.headers) as { type: string; data: { object: { id: string } } };
  expect(event).toMatchObject({ type: "api_key.created", data: { object: { id: record.id } } });

  await page.getByRole("link", { name: endpoint }).click();
  const row = page.locator("tr[data-delivery-id]").first();
  await row.waitFor();
  expect(await row.textContent()).toContain("api_key.created");
  expect(await row.textContent()).toContain(first.headers["webhook-id"]);
  const attempt = row.locator("[data-attempt]").first();
  expect(await attempt.textContent()).toMatch(/Succeeded\s+· HTTP 204 · \d+ ms/);

  await row.getByRole("button", { name: "Resend" }).click();
  await page.getByRole("status").filter({ hasText: "queued again" }).waitFor();
  const again = (await receiver.waitFor("/hooks", 2))[1];
  expect(again.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  new Webhook(secret).verify(again.body, again.headers);
  await page.reload();
  expect(await page.locator("tr[data-delivery-id]").count()).toBe(2);
  await context.close();
});

test("when an endpoint keeps failing until it is disabled, then every Settings page shows the banner, it links to the endpoint, and Enable brings it back (on a phone-sized screen)", async () => {
  const owner = await makeUser(t.ctx);
  const ws = await makeWorkspace(t.ctx, "Failing Co", [{ userId: owner.id, role: "owner" }]);
  const failing = `${receiver.url}/fail-${ws.id}`;
  const { context, page } = await signInToSettings(browser, t.url, owner);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings/webhooks");
  await addEndpoint(page, failing);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await makeKey(t.ctx, ws.id);
  // The first attempt and the test's two retries fail (500), then the endpoint is disabled.
  await receiver.waitFor(`/fail-${ws.id}`, 3);
  const banner = page.getByRole("alert").filter({ hasText: "was disabled after repeated failures" });
  await eventually(async () => {
    await page.goto("/settings/api-keys");
    return (await banner.count()) > 0;
  }, 20_000, "the disabled-endpoint banner");
  expect(await banner.textContent()).toContain(failing);
  await banner.getByRole("link", { name: "Review" }).click();
  await page.getByText("This endpoint is disabled").waitFor();
  expect(await page.locator("[data-attempt][data-outcome=failed]").count()).toBe(3);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Enable endpoint" }).click();
  await page.getByRole("status").filter({ hasText: "enabled again" }).waitFor();
  expect(await banner.count()).toBe(0);
  await context.close();
});
