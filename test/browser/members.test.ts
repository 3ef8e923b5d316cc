import { jest } from "@jest/globals";
import type { Browser, Locator, Page } from "playwright-core";
import { createApiKey } from "../../src/api-keys/create-api-key.js";
import { CLI } from "../../src/audit/audit-log.js";
import { createClient } from "../../src/oauth/clients/create-client.js";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser, signInToSettings } from "../support/browser.js";
import { connect } from "../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../support/fixtures.js";

jest.setTimeout(180_000);

type User = Awaited<ReturnType<typeof makeUser>>;

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

async function v1Status(credential: string): Promise<number> {
  return (await fetch(`${t.url}/v1/workspace`, { headers: { Authorization: `Bearer ${credential}` } })).status;
}

const signInAs = (user: { email: string; password: string }) => signInToSettings(browser, t.url, user);

/** A workspace with an owner, an admin and a member; the membership id of each. */
async function team(name: string) {
  const [owner, admin, member] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  const ws = await makeWorkspace(t.ctx, name, [
    { userId: owner.id, role: "owner" },
    { userId: admin.id, role: "admin" },
    { userId: member.id, role: "member" },
  ]);
  const rows = await t.ctx.db.membership.findMany({ where: { workspaceId: ws.id } });
  const membershipOf = (u: User) => rows.find((r) => r.userId === u.id)?.id as string;
  return { owner, admin, member, ws, membershipOf };
}

const row = (page: Page, email: string) => page.locator("tbody tr", { has: page.getByText(email, { exact: true }) });
const visible = (locator: Locator) => locator.waitFor({ state: "visible" });

async function openMembers(page: Page, workspaceId: string) {
  await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Team Members" }).click();
  await page.waitForURL("**/settings/members");
  await page.goto(`/settings/members?workspace=${workspaceId}`);
}

describe("Team Members in Chromium", () => {
  test("when an owner promotes and demotes someone, then the person's open session follows on its very next request", async () => {
    const w = await team("Roles Co");
    const { context, page } = await signInAs(w.owner);
    const person = await signInAs(w.member);
    await openMembers(page, w.ws.id);
    await openMembers(person.page, w.ws.id);
    await visible(person.page.getByText("you can see its people, but only its owners and admins can change them"));
    expect(await person.page.getByRole("button", { name: "Change role" }).count()).toBe(0);

    await row(page, w.member.email).getByLabel(`Role of ${w.member.email}`).selectOption("admin");
    await row(page, w.member.email).getByRole("button", { name: "Change role" }).click();
    await visible(page.getByText("The role was changed."));
    expect(await row(page, w.member.email).getByLabel(`Role of ${w.member.email}`).inputValue()).toBe("admin");

    await person.page.reload();
    await visible(person.page.getByRole("button", { name: "Change role" }).first());
    await person.page.goto("/settings/api-keys");
    expect(await person.page.getByRole("link", { name: "Generate API Key" }).count()).toBe(1);

    // Demoted again: the same review as a removal, with the key they made as admin preselected.
    const made = await createApiKey(t.ctx.apiKeys, { workspaceId: w.ws.id, name: "Made as admin", access: "read_only", ownerId: w.member.id, expiresAt: null, actor: CLI });
    await row(page, w.member.email).getByLabel(`Role of ${w.member.email}`).selectOption("member");
    await row(page, w.member.email).getByRole("button", { name: "Change role" }).click();
    await visible(page.getByRole("heading", { name: `Make ${w.member.email} a member of Roles Co?` }));
    expect(await page.getByRole("checkbox", { name: /Made as admin/ }).isChecked()).toBe(true);
    await page.getByRole("button", { name: `Make ${w.member.email} a member` }).click();
    await visible(page.getByText("The role was changed."));
    expect(await v1Status(made.key as string)).toBe(401);
    await person.page.reload();
    await visible(person.page.getByRole("heading", { name: "Only workspace owners and admins can manage API keys" }));
    expect((await person.page.goto("/settings/api-keys/new"))?.status()).toBe(403);
    await person.context.close();
    await context.close();
  });

  test("when an admin is removed with the review, then chosen keys and apps die on /v1, the kept key shows owner left and is reassigned", async () => {
    const w = await team("Offboard Co");
    const make = (name: string) =>
      createApiKey(t.ctx.apiKeys, { workspaceId: w.ws.id, name, access: "read_write", ownerId: w.admin.id, expiresAt: null, actor: CLI });
    const ops = await make("Ops key");
    const ci = await make("CI key");
    const issued = await createClient(t.ctx.db, { name: "Reporting App", redirectUris: ["http://127.0.0.1:9/callback"], actor: CLI });
    const client = { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: "http://127.0.0.1:9/callback" };
    const { tokens } = await connect({ issuer: t.url, client, user: w.admin, workspaceId: w.ws.id, scope: "subscribers:read" });
    const leaver = await signInAs(w.admin);

    const { context, page } = await signInAs(w.owner);
    await openMembers(page, w.ws.id);
    const adminRow = row(page, w.admin.email);
    expect(await adminRow.locator('td[data-label="Active keys"]').textContent()).toBe("2");
    expect(await adminRow.locator('td[data-label="Apps approved"]').textContent()).toBe("1");
    await adminRow.getByRole("link", { name: "Remove" }).click();
    await visible(page.getByRole("heading", { name: `Remove ${w.admin.email} from Offboard Co?` }));
    const opsBox = page.getByRole("checkbox", { name: /Ops key/ });
    const ciBox = page.getByRole("checkbox", { name: /CI key/ });
    const appBox = page.getByRole("checkbox", { name: /Reporting App/ });
    for (const box of [opsBox, ciBox, appBox]) expect(await box.isChecked()).toBe(true);
    await ciBox.uncheck();
    await page.getByRole("button", { name: `Remove ${w.admin.email}` }).click();
    await visible(page.getByText("The member was removed."));
    expect(await row(page, w.admin.email).count()).toBe(0);

    expect(await v1Status(ops.key as string)).toBe(401);
    expect(await v1Status(tokens.access_token)).toBe(401);
    expect(await v1Status(ci.key as string)).toBe(200);
    // The removed admin's open session is refused at once.
    expect((await leaver.page.goto(`/settings/members?workspace=${w.ws.id}`))?.status()).toBe(404);
    await leaver.page.goto("/settings/api-keys");
    await visible(leaver.page.getByText("You are not a member of any workspace yet."));
    await leaver.context.close();

    await page.getByRole("link", { name: "API Keys" }).click();
    const ciRow = page.locator("tbody tr", { has: page.getByText("CI key", { exact: true }) });
    await visible(ciRow.getByText("owner left"));
    await ciRow.getByRole("link", { name: "Reassign" }).click();
    await page.getByLabel("New owner").selectOption({ label: `${w.member.email}, member` });
    await page.getByRole("button", { name: "Reassign key" }).click();
    await visible(page.getByText("The API key has a new owner."));
    expect(await ciRow.textContent()).toContain(w.member.email);
    expect(await ciRow.getByText("owner left").count()).toBe(0);
    expect(await v1Status(ci.key as string)).toBe(200);

    await page.getByRole("link", { name: "Activity" }).click();
    for (const what of ["Revoked API key “Ops key”", "Revoked app “Reporting App”", `Removed ${w.admin.email} from the workspace`, "Reassigned API key “CI key”"]) {
      const line = page.locator("tbody tr", { has: page.getByText(what) });
      expect(await line.locator('td[data-label="Who"]').textContent()).toBe(w.owner.email);
    }
    await context.close();
  });

  test("when a member tries to manage, an admin tries to remove an owner, or the CSRF token is missing, then the server refuses", async () => {
    const w = await team("Denied Co");
    const member = await signInAs(w.member);
    await openMembers(member.page, w.ws.id);
    expect(await member.page.getByRole("link", { name: "Remove" }).count()).toBe(0);
    const forged = await member.page.evaluate(
      async ({ id, csrf }) => (await fetch(`/settings/members/${id}/remove`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${encodeURIComponent(csrf)}` })).status,
      { id: w.membershipOf(w.admin), csrf: await member.page.locator('input[name="_csrf"]').first().inputValue() },
    );
    expect(forged).toBe(403);
    await member.context.close();

    const admin = await signInAs(w.admin);
    await openMembers(admin.page, w.ws.id);
    expect(await row(admin.page, w.owner.email).getByRole("link", { name: "Remove" }).count()).toBe(0);
    expect(await row(admin.page, w.owner.email).getByRole("button", { name: "Change role" }).count()).toBe(0);
    const refused = await admin.page.goto(`/settings/members/${w.membershipOf(w.owner)}/remove`);
    expect(refused?.status()).toBe(403);
    await visible(admin.page.getByText("Only owners can make someone an owner or change or remove an owner."));
    await admin.context.close();

    const owner = await signInAs(w.owner);
    await owner.page.goto(`/settings/members/${w.membershipOf(w.member)}/remove`);
    await owner.page.locator('form[action$="/remove"] input[name="_csrf"]').evaluate((input) => input.remove());
    const [response] = await Promise.all([
      owner.page.waitForResponse((r) => r.request().method() === "POST"),
      owner.page.getByRole("button", { name: `Remove ${w.member.email}` }).click(),
    ]);
    expect(response.status()).toBe(403);
    expect(await t.ctx.db.membership.count({ where: { workspaceId: w.ws.id } })).toBe(3);
    await owner.context.close();
  });

  test("when a person changes their password in My account, then their other browser is signed out on its next request", async () => {
    const user = await makeUser(t.ctx);
    const other = await signInAs(user);
    const { context, page } = await signInAs(user);
    await page.getByRole("link", { name: "My account" }).click();
    await page.waitForURL("**/settings/account");
    expect(await page.locator("table.sessions tbody tr").count()).toBe(2);
    await visible(page.getByText("This session"));
    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("New password", { exact: true }).fill("a fresh passphrase");
    await page.getByLabel("Confirm new password").fill("a fresh passphrase");
    await page.getByRole("button", { name: "Change password" }).click();
    await visible(page.getByText("Your password was changed."));
    expect(await page.locator("table.sessions tbody tr").count()).toBe(1);
    await other.page.goto("/settings/api-keys");
    expect(other.page.url()).toContain("/login");
    await other.context.close();
    await context.close();
  });
});
