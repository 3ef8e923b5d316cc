/**
 * `npm run screenshots`: starts the app on a throw-away SQLite database with demo data, signs in with
 * Debian's Chromium and saves the Settings screenshots the README shows into docs/: the tabs, the
 * "Save Your API Key" dialog, the review of what a leaving member leaves behind, My account, Webhooks, and the API Keys
 * and Team Members tabs on a phone-sized screen.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { createApiKey } from "../src/api-keys/create-api-key.js";
import { expireApiKey } from "../src/api-keys/expire-api-keys.js";
import { revokeApiKey } from "../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../src/api-keys/rotate-api-key.js";
import { type Actor, CLI } from "../src/audit/audit-log.js";
import { recordApproval } from "../src/authorized-apps/record-approval.js";
import { revokeAuthorizedApp } from "../src/authorized-apps/revoke-authorized-app.js";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { type AppContext, buildContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { createClient } from "../src/oauth/clients/create-client.js";
import { createUser } from "../src/users/create-user.js";
import { addMember } from "../src/workspaces/add-member.js";
import { createWorkspace } from "../src/workspaces/create-workspace.js";
import { removeMember } from "../src/workspaces/remove-member.js";
import { setMemberRole } from "../src/workspaces/set-member-role.js";
import { createWebhook } from "../src/webhooks/create-webhook.js";
import { WEBHOOK_EVENT_TYPES } from "../src/webhook-outbox/webhook-events.js";
import { launchBrowser } from "../test/support/browser.js";
import { OPERATOR } from "../src/access/access-scope.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const docs = path.join(root, "docs");
const PASSWORD = "demo-password-123";
const DAY = 86_400_000;

/** A believable workspace history: keys in every state, connected and revoked apps, membership changes. */
async function seed(ctx: AppContext): Promise<void> {
  const { db, apiKeys } = ctx;
  const cost = ctx.config.argon2;
  const maya = await createUser(db, cost, { email: "maya@acme.example", password: PASSWORD, name: "Maya Lin" });
  const theo = await createUser(db, cost, { email: "theo@acme.example", password: PASSWORD, name: "Theo Park" });
  await createUser(db, cost, { email: "sam@acme.example", password: PASSWORD, name: "Sam Ortiz" });
  const acme = await createWorkspace(db, { name: "Acme Newsletters", ownerEmail: maya.email, actor: CLI });
  const fern = await createWorkspace(db, { name: "Blue Fern Studio", ownerEmail: theo.email, actor: CLI });
  await addMember(db, { workspaceId: fern.id, email: maya.email, role: "admin", actor: CLI });
  const asMaya: Actor = { type: "user", id: maya.id, label: maya.email };
  const asTheo: Actor = { type: "user", id: theo.id, label: theo.email };
  await addMember(db, { workspaceId: acme.id, email: "sam@acme.example", role: "member", actor: asMaya });
  await addMember(db, { workspaceId: acme.id, email: theo.email, role: "member", actor: asMaya });
  await setMemberRole(db, { workspaceId: acme.id, email: theo.email, role: "admin", actor: asMaya });

  const key = async (workspaceId: string, name: string, access: "read_only" | "read_write", owner: string, days: number | null) =>
    (await createApiKey(apiKeys, {
      workspaceId,
      name,
      access,
      ownerId: owner,
      expiresAt: days === null ? null : new Date(Date.now() + days * DAY),
      actor: owner === maya.id ? asMaya : owner === theo.id ? asTheo : { type: "user", id: owner, label: "lena@contractor.example" },
    })).apiKey;
  const production = await key(acme.id, "Production sync", "read_write", maya.id, null);
  const analytics = await key(acme.id, "Analytics export", "read_only", theo.id, 90);
  const staging = await key(acme.id, "Staging tests", "read_write", theo.id, 30);
  const legacy = await key(fern.id, "Legacy importer", "read_write", theo.id, 7);
  await key(fern.id, "Website signup form", "read_write", maya.id, 365);
  await rotateApiKey(apiKeys, { id: production.id, scope: OPERATOR, actor: asMaya });
  await revokeApiKey(apiKeys, { id: staging.id, scope: OPERATOR, actor: asMaya });
  await db.apiKey.update({ where: { id: legacy.id }, data: { expiresAt: new Date(Date.now() - DAY) } });
  await expireApiKey(apiKeys, legacy.id);
  await db.apiKey.update({ where: { id: production.id }, data: { lastUsedAt: new Date(Date.now() - 4 * 60_000) } });
  await db.apiKey.update({ where: { id: analytics.id }, data: { lastUsedAt: new Date(Date.now() - 2 * 3_600_000) } });

  const connect = async (name: string, workspaceId: string, scopes: string[], lastUsedMinutesAgo: number | null) => {
    const { client } = await createClient(db, { name, redirectUris: ["https://apps.example/callback"], actor: CLI });
    const id = await recordApproval(
      { db, feed: ctx.feed },
      { clientId: client.client_id, workspaceId, userId: maya.id, scopes, grantId: crypto.randomUUID(), actor: asMaya },
    );
    if (lastUsedMinutesAgo !== null) {
      await db.authorizedApp.update({ where: { id }, data: { lastUsedAt: new Date(Date.now() - lastUsedMinutesAgo * 60_000) } });
    }
    return id;
  };
  await connect("Postbox Analytics", acme.id, ["subscribers:read", "tags:read"], 12);
  await connect("FlowSync CRM", acme.id, ["subscribers:read", "subscribers:write", "tags:read", "tags:write"], 180);
  const old = await connect("Signup Widgets", acme.id, ["subscribers:write"], null);
  await revokeAuthorizedApp({ db, feed: ctx.feed }, { id: old, scope: OPERATOR, by: "user", actor: asMaya });
  await connect("Canvas Reports", fern.id, ["subscribers:read"], null);

  // A contractor who left: their key was kept, so the API Keys tab shows "owner left" until it is reassigned.
  const lena = await createUser(db, cost, { email: "lena@contractor.example", password: PASSWORD, name: "Lena Moss" });
  await addMember(db, { workspaceId: acme.id, email: lena.email, role: "admin", actor: asMaya });
  await key(acme.id, "Import script", "read_write", lena.id, 30);
  await removeMember(db, { workspaceId: acme.id, email: lena.email, actor: asMaya });
  // Theo approved an app and signed in recently; Sam signed in last week.
  await connectAs(ctx, "Zapier Bridge", acme.id, theo.id, { type: "user", id: theo.id, label: theo.email });
  await db.user.update({ where: { id: theo.id }, data: { lastSignInAt: new Date(Date.now() - 3 * 3_600_000) } });
  // Maya is also signed in on her phone, so My account lists two sessions.
  await db.webSession.create({
    data: {
      id: crypto.randomBytes(32).toString("hex"),
      userId: maya.id,
      createdAt: new Date(Date.now() - 2 * DAY),
      expiresAt: new Date(Date.now() + 5 * DAY),
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    },
  });
  await db.user.update({ where: { email: "sam@acme.example" }, data: { lastSignInAt: new Date(Date.now() - 6 * DAY) } });
  // Two webhook endpoints: every event to the security team, expiry notices to operations.
  const hook = (url: string, description: string, events: (typeof WEBHOOK_EVENT_TYPES)[number][]) =>
    createWebhook(ctx.webhooks, OPERATOR, acme.id, { url, description, events }, asMaya);
  await hook("https://siem.acme.example/hooks/workspace-auth", "Security alerts", [...WEBHOOK_EVENT_TYPES]);
  await hook("https://ops.acme.example/key-expiry", "Key expiry reminders", ["api_key.expiring_soon", "api_key.expired"]);
}

/** An app approved by someone other than Maya. */
async function connectAs(ctx: AppContext, name: string, workspaceId: string, userId: string, actor: Actor): Promise<void> {
  const { client } = await createClient(ctx.db, { name, redirectUris: ["https://apps.example/callback"], actor: CLI });
  await recordApproval({ db: ctx.db, feed: ctx.feed }, { clientId: client.client_id, workspaceId, userId, scopes: ["subscribers:read"], grantId: crypto.randomUUID(), actor });
}

async function shoot(browser: Browser, baseURL: string): Promise<void> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto("/settings");
  await page.getByLabel("Email").fill("maya@acme.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/settings/api-keys");
  await page.screenshot({ path: path.join(docs, "settings-api-keys.png"), fullPage: true });

  await page.getByRole("link", { name: "Generate API Key" }).click();
  const form = page.getByRole("dialog", { name: "Generate API Key" });
  await form.getByLabel("Workspace").selectOption({ label: "Acme Newsletters" });
  await form.getByLabel("Name").fill("Zapier integration");
  await form.getByLabel("Access Level").selectOption({ label: "Read and Write" });
  await form.getByLabel("Expiration", { exact: true }).selectOption({ label: "90 days" });
  await form.getByRole("button", { name: "Generate" }).click();
  await page.getByRole("dialog", { name: "Save Your API Key" }).waitFor();
  await page.screenshot({ path: path.join(docs, "settings-key-dialog.png") });

  await page.goto("/settings/authorized-apps");
  await page.screenshot({ path: path.join(docs, "settings-authorized-apps.png"), fullPage: true });

  await page.getByRole("link", { name: "Team Members" }).click();
  await page.waitForURL("**/settings/members");
  await page.screenshot({ path: path.join(docs, "settings-members.png"), fullPage: true });
  await page.locator("tbody tr", { has: page.getByText("theo@acme.example", { exact: true }) }).getByRole("link", { name: "Remove" }).click();
  await page.getByRole("heading", { name: /^Remove Theo Park/ }).waitFor();
  await page.screenshot({ path: path.join(docs, "settings-member-review.png"), fullPage: true });

  await page.goto("/settings/account");
  await page.screenshot({ path: path.join(docs, "settings-account.png"), fullPage: true });

  await page.goto("/settings/webhooks");
  await page.screenshot({ path: path.join(docs, "settings-webhooks.png"), fullPage: true });

  // The same session on a phone-sized screen: rows become labelled cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings/api-keys");
  await page.screenshot({ path: path.join(docs, "settings-api-keys-phone.png") });
  await page.goto("/settings/members");
  await page.screenshot({ path: path.join(docs, "settings-members-phone.png") });
  await context.close();
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-screenshots-"));
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: "development",
    DATABASE_URL: `file:${path.join(dir, "demo.db")}`,
    ISSUER: url,
    LOG_LEVEL: "warn",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
  });
  const ctx = await buildContext(config, { logger: createLogger(config.logLevel, process.stderr), migrate: true });
  let browser: Browser | undefined;
  try {
    await seed(ctx);
    server.on("request", createApp(ctx));
    fs.mkdirSync(docs, { recursive: true });
    browser = await launchBrowser();
    await shoot(browser, url);
    process.stdout.write(`screenshots saved in ${path.relative(process.cwd(), docs) || "."}/\n`);
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
