import { jest } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/app.js";
import { launchBrowser } from "../support/browser.js";
import { makeUser, makeWorkspace } from "../support/fixtures.js";
import { mailParts, type SmtpInbox, startSmtpInbox } from "../support/smtp-inbox.js";

jest.setTimeout(180_000);

// A real server that sends its invitations to a real SMTP server started here.
let t: TestServer;
let inbox: SmtpInbox;
let browser: Browser;
let owner: Awaited<ReturnType<typeof makeUser>>;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  t = await startTestServer({ SMTP_URL: inbox.url, MAIL_FROM: "Workspace Auth <invites@example.test>" });
  browser = await launchBrowser();
  owner = await makeUser(t.ctx);
  ws = await makeWorkspace(t.ctx, "Invite Co", [{ userId: owner.id, role: "owner" }]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await inbox?.close();
});

async function signedInPage(user: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.url });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/settings/api-keys");
  return page;
}

/** Invites through the Settings form in Chromium; returns the page showing the result. */
async function inviteInBrowser(page: Page, email: string, role: string): Promise<void> {
  await page.goto(`/settings/members/invitations?workspace=${ws.id}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.getByRole("heading", { name: `Invitation link for ${email}` }).waitFor();
}

/** Opens an invitation link in a fresh browser profile, creates the account and joins. */
async function acceptAsNewPerson(link: string, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Choose a password").fill("a long new password");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await page.getByRole("heading", { name: `Welcome to ${ws.name}` }).waitFor();
  return page;
}

describe("Invitations in Chromium, with a real SMTP server", () => {
  test("when an owner invites by email, then the invitee gets the link by mail, opens it, sets a password and is a signed-in member", async () => {
    const email = `mailed-${Date.now()}@example.test`;
    const admin = await signedInPage(owner);
    await inviteInBrowser(admin, email, "admin");
    await admin.getByText(`We also emailed the link to ${email}.`).waitFor();
    const shown = await admin.getByRole("textbox", { name: "Invitation link" }).inputValue();

    const mail = await inbox.waitFor(email);
    expect(mail.from).toBe("invites@example.test");
    const parts = mailParts(mail.raw);
    const text = parts.find((p) => p.type === "text/plain")?.body ?? "";
    const html = parts.find((p) => p.type === "text/html")?.body ?? "";
    const link = /https?:\/\/\S+\/invitations\/accept\?token=inv_[A-Za-z0-9_-]{43}/.exec(text)?.[0];
    expect(link).toBe(shown);
    expect(link!.startsWith(`${t.config.issuer}/`)).toBe(true);
    expect(html).toContain(`href="${link!.replace(/&/g, "&amp;")}"`);
    expect(text).toContain(`${owner.email} invited you to join the workspace "${ws.name}" as admin.`);
    // The link is a secret: it reached the mail, never the logs.
    expect(t.logs.text).not.toContain(new URL(link!).searchParams.get("token")!);

    const invitee = await acceptAsNewPerson(link!, "Mailed Person");
    await invitee.getByRole("link", { name: "Go to Settings" }).click();
    await invitee.waitForURL("**/settings/api-keys");
    await invitee.getByText(email).first().waitFor();
    const membership = await t.ctx.db.membership.findFirst({ where: { workspaceId: ws.id, user: { email } } });
    expect(membership?.role).toBe("admin");

    // The used link, opened again by someone else, explains itself.
    const late = await (await browser.newContext()).newPage();
    const response = await late.goto(link!);
    expect(response?.status()).toBe(410);
    await late.getByRole("heading", { name: "Invitation already used" }).waitFor();
    await invitee.context().close();
    await admin.context().close();
  });

  test("when the SMTP server is down, then the page says the email failed and the link still works", async () => {
    await inbox.close();
    const email = `unmailed-${Date.now()}@example.test`;
    const admin = await signedInPage(owner);
    await inviteInBrowser(admin, email, "member");
    await admin.getByText("The email could not be sent.").waitFor();
    const link = await admin.getByRole("textbox", { name: "Invitation link" }).inputValue();

    await admin.goto(`/settings/members/invitations?workspace=${ws.id}`);
    await admin.locator("tbody tr", { hasText: email }).getByText("email not delivered").waitFor();

    const invitee = await acceptAsNewPerson(link, "Unmailed Person");
    expect(await t.ctx.db.membership.count({ where: { workspaceId: ws.id, user: { email } } })).toBe(1);
    await invitee.context().close();
    await admin.context().close();
  });
});
