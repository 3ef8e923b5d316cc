import { jest } from "@jest/globals";
import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser } from "../support/browser.js";
import { makeKey, makeUser, makeWorkspace } from "../support/fixtures.js";

jest.setTimeout(180_000);

const github = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
const KEY_ID = "browser-test-key";

let t: TestServer;
let browser: Browser;
beforeAll(async () => {
  const pem = github.publicKey.export({ type: "spki", format: "pem" }).toString();
  t = await startTestServer({ SECRET_SCANNING_PUBLIC_KEYS: JSON.stringify([{ key_identifier: KEY_ID, key: pem }]) });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

test("when a key was found in public, then its admin sees the banner with a working link to where, also on a phone-sized screen", async () => {
  const owner = await makeUser(t.ctx);
  const ws = await makeWorkspace(t.ctx, "Leaky Co", [{ userId: owner.id, role: "owner" }]);
  const { key, record } = await makeKey(t.ctx, ws.id);
  const url = `https://github.com/octo/leaky/blob/${"a".repeat(40)}/config/production.env`;
  const body = JSON.stringify([{ token: key, type: "workspace_auth_api_key", url, source: "content" }]);
  const signature = crypto.sign("sha256", Buffer.from(body), { key: github.privateKey, dsaEncoding: "der" }).toString("base64");
  const res = await fetch(`${t.url}/secret-scanning/report`, {
    method: "POST",
    headers: { "content-type": "application/json", "Github-Public-Key-Identifier": KEY_ID, "Github-Public-Key-Signature": signature },
    body,
  });
  expect(res.status).toBe(200);

  const context = await browser.newContext({ baseURL: t.url, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto("/settings");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/settings/api-keys");

  const banner = page.getByRole("alert").filter({ hasText: "revoked because it leaked" });
  await banner.waitFor();
  const link = banner.getByRole("link", { name: url });
  expect(await link.getAttribute("href")).toBe(url);
  expect(await banner.textContent()).toContain(record.name);
  // The long URL wraps inside the screen instead of widening the page.
  const box = await link.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await context.close();
});
