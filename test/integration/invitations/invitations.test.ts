import crypto from "node:crypto";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser } from "../../support/fixtures.js";
import { agent, csrfFrom } from "../../support/forms.js";
import { runCli } from "../../support/cli.js";
import { type Agent, makeWorld, signedIn } from "../../support/world.js";

let t: TestApp;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  t = await startTestApp();
  world = await makeWorld(t);
});
afterAll(async () => {
  await t?.close();
});

let counter = 0;
const newEmail = () => `invitee-${Date.now().toString(36)}-${counter++}@example.test`;

async function apiClient(user: { email: string; password: string }): Promise<{ a: Agent; token: string }> {
  const a = await signedIn(t, user as Awaited<ReturnType<typeof makeUser>>);
  const res = await a.get("/api/csrf-token").expect(200);
  return { a, token: res.body.token as string };
}

/** Invites through /api as the workspace owner; returns the link's secret and the invitation. */
async function invite(email = newEmail(), role = "member", by: { email: string; password: string } = world.owner) {
  const c = await apiClient(by);
  const res = await c.a.post("/api/invitations").set("x-csrf-token", c.token).send({ workspace_id: world.ws.id, email, role });
  expect(res.status).toBe(201);
  const link = new URL(res.body.data.link as string);
  return { email, secret: link.searchParams.get("token")!, link: res.body.data.link as string, invitation: res.body.data.invitation };
}

const pagePath = (secret: string) => `/invitations/accept?token=${secret}`;

/** Opens the link in a fresh anonymous "browser" and posts the new-account form. */
async function acceptAsNewPerson(secret: string, form = { name: "New Person", password: "a long new password" }) {
  const a = agent(t.app);
  const page = await a.get(pagePath(secret));
  // A link that cannot be used shows no form; a replayed post still carries a valid CSRF token (from /login).
  const csrf = page.text.includes('name="_csrf"') ? csrfFrom(page.text) : csrfFrom((await a.get("/login")).text);
  const res = await a.post("/invitations/accept").type("form").send({ _csrf: csrf, token: secret, ...form });
  return { a, page, res };
}

async function membershipsOf(email: string) {
  return t.ctx.db.membership.findMany({ where: { workspaceId: world.ws.id, user: { email } } });
}

describe("inviting", () => {
  test("when an owner invites through /api, then the link is returned once and only its SHA-256 digest is stored", async () => {
    const { secret, link, invitation } = await invite();
    expect(secret).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(link).toBe(`${t.config.issuer}/invitations/accept?token=${secret}`);
    expect(invitation).toMatchObject({ status: "pending", role: "member", invited_by: world.owner.email, mail_status: "not_configured" });
    expect(new Date(invitation.expires_at as string).getTime() - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);

    const row = await t.ctx.db.invitation.findUniqueOrThrow({ where: { id: invitation.id as string } });
    expect(row.digest).toBe(crypto.createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(secret);

    const c = await apiClient(world.admin);
    const listed = await c.a.get(`/api/invitations?workspace=${world.ws.id}`).expect(200);
    expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(t.logs.text).not.toContain(secret);
  });

  test("when a member invites, or an admin invites an owner, then it is a 403 and nothing is created; an owner may invite an owner", async () => {
    const before = await t.ctx.db.invitation.count();
    const member = await apiClient(world.member);
    const refused = await member.a.post("/api/invitations").set("x-csrf-token", member.token)
      .send({ workspace_id: world.ws.id, email: newEmail(), role: "member" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe("permission_error");

    const admin = await apiClient(world.admin);
    const asOwner = await admin.a.post("/api/invitations").set("x-csrf-token", admin.token)
      .send({ workspace_id: world.ws.id, email: newEmail(), role: "owner" });
    expect(asOwner.status).toBe(403);
    expect(asOwner.body.error.code).toBe("owner_required");
    expect(await t.ctx.db.invitation.count()).toBe(before);

    await invite(newEmail(), "owner", world.owner);
    expect(await t.ctx.db.invitation.count()).toBe(before + 1);
  });

  test("when the x-csrf-token header is missing, then inviting is a 403 and nothing is created", async () => {
    const before = await t.ctx.db.invitation.count();
    const c = await apiClient(world.owner);
    const res = await c.a.post("/api/invitations").send({ workspace_id: world.ws.id, email: newEmail(), role: "member" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("invalid_csrf_token");
    expect(await t.ctx.db.invitation.count()).toBe(before);
  });

  test("when the email belongs to a member, is already invited, or is not an email, then a clear 4xx", async () => {
    const c = await apiClient(world.owner);
    const send = (email: string, role = "member") =>
      c.a.post("/api/invitations").set("x-csrf-token", c.token).send({ workspace_id: world.ws.id, email, role });
    expect((await send(world.member.email.toUpperCase())).body.error.code).toBe("already_member");
    const { email } = await invite();
    const again = await send(email);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_invited");
    expect((await send("not-an-email")).status).toBe(422);
    expect((await send(newEmail(), "superuser")).status).toBe(422);
  });
});

describe("accepting", () => {
  test("when someone without an account opens the link and sets a name and password, then they are a signed-in member", async () => {
    const { email, secret } = await invite(newEmail(), "admin");
    const { a, page, res } = await acceptAsNewPerson(secret);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Create account and join");
    expect(page.text).toContain(email);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/invitations/joined?workspace=${world.ws.id}`);

    const joined = await a.get(res.headers.location as string).expect(200);
    expect(joined.text).toContain(world.ws.name);
    // The new session is a real sign-in: Settings opens, and the role was the invited one.
    await a.get("/settings/api-keys").expect(200);
    expect((await membershipsOf(email)).map((m) => m.role)).toEqual(["admin"]);
    const user = await t.ctx.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.name).toBe("New Person");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });

  test("when the new-account form breaks the password rules, then 422 on the same page and nothing is used up", async () => {
    const { email, secret } = await invite();
    const { res } = await acceptAsNewPerson(secret, { name: "Short", password: "short" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("at least 8 characters");
    expect(await t.ctx.db.user.count({ where: { email } })).toBe(0);
    const again = await acceptAsNewPerson(secret);
    expect(again.res.status).toBe(303);
  });

  test("when the accept form is posted several times at once, then there is one account and one membership", async () => {
    const { email, secret } = await invite();
    const a = agent(t.app);
    const page = await a.get(pagePath(secret)).expect(200);
    const form = { _csrf: csrfFrom(page.text), token: secret, name: "Racer", password: "a long new password" };
    const results = await Promise.all([1, 2, 3, 4].map(() => a.post("/invitations/accept").type("form").send(form)));
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of results) expect(r.status).toBeLessThan(500);
    expect(await t.ctx.db.user.count({ where: { email } })).toBe(1);
    expect(await membershipsOf(email)).toHaveLength(1);
  });

  test("when the invited person is signed in, then one click joins, and a second click changes nothing", async () => {
    const person = await makeUser(t.ctx);
    const { secret } = await invite(person.email.toUpperCase());
    const a = await signedIn(t, person);
    const page = await a.get(pagePath(secret)).expect(200);
    expect(page.text).toContain(`Join ${world.ws.name}`);
    const form = { _csrf: csrfFrom(page.text), token: secret };
    expect((await a.post("/invitations/accept").type("form").send(form)).status).toBe(303);
    expect((await a.post("/invitations/accept").type("form").send(form)).status).toBe(303);
    expect(await membershipsOf(person.email)).toHaveLength(1);
    // Opening the used link again just continues for the person who used it.
    expect((await a.get(pagePath(secret))).status).toBe(303);
  });

  test("when an existing account is not signed in, then the page asks them to sign in and return, not to sign up", async () => {
    const person = await makeUser(t.ctx);
    const { secret } = await invite(person.email);
    const page = await agent(t.app).get(pagePath(secret)).expect(200);
    expect(page.text).toContain("Sign in to accept");
    expect(page.text).not.toContain("Create account and join");
    const { res } = await acceptAsNewPerson(secret);
    expect(res.status).toBe(409);
    expect(await membershipsOf(person.email)).toHaveLength(0);
  });

  test("when another account is signed in, then the page says whose invitation it is (403) and accepting does nothing", async () => {
    const { email, secret } = await invite();
    const a = await signedIn(t, world.stranger);
    const page = await a.get(pagePath(secret));
    expect(page.status).toBe(403);
    expect(page.text).toContain(email);
    expect(page.text).toContain(world.stranger.email);
    const res = await a.post("/invitations/accept").type("form").send({ _csrf: csrfFrom(page.text), token: secret });
    expect(res.status).toBe(409);
    expect(await t.ctx.db.membership.count({ where: { workspaceId: world.ws.id, userId: world.stranger.id } })).toBe(0);
  });

  test("when the form has no CSRF token, then 403 and the invitation stays pending", async () => {
    const { secret, invitation } = await invite();
    const res = await agent(t.app).post("/invitations/accept").type("form").send({ token: secret, name: "X", password: "a long new password" });
    expect(res.status).toBe(403);
    expect((await t.ctx.db.invitation.findUniqueOrThrow({ where: { id: invitation.id as string } })).status).toBe("pending");
  });

  test("when a link is unknown, malformed, expired, revoked or already used, then each gets its own page and nothing is created", async () => {
    const unknown = await agent(t.app).get(pagePath(`inv_${"A".repeat(43)}`));
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("not valid");
    expect((await agent(t.app).get(pagePath("garbage"))).status).toBe(404);
    expect((await agent(t.app).get("/invitations/accept")).status).toBe(404);

    const expired = await invite();
    await t.ctx.db.invitation.update({ where: { id: expired.invitation.id as string }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expiredPage = await agent(t.app).get(pagePath(expired.secret));
    expect(expiredPage.status).toBe(410);
    expect(expiredPage.text).toContain("expired");
    expect((await acceptAsNewPerson(expired.secret)).res.status).toBe(410);

    const revoked = await invite();
    const c = await apiClient(world.admin);
    const r = await c.a.post(`/api/invitations/${revoked.invitation.id as string}/revoke`).set("x-csrf-token", c.token).send({});
    expect(r.status).toBe(200);
    expect(r.body.data.status).toBe("revoked");
    const revokedPage = await agent(t.app).get(pagePath(revoked.secret));
    expect(revokedPage.status).toBe(410);
    expect(revokedPage.text).toContain("withdrawn");
    expect((await acceptAsNewPerson(revoked.secret)).res.status).toBe(410);

    const used = await invite();
    expect((await acceptAsNewPerson(used.secret)).res.status).toBe(303);
    const usedPage = await agent(t.app).get(pagePath(used.secret));
    expect(usedPage.status).toBe(410);
    expect(usedPage.text).toContain("already accepted");

    for (const { email } of [expired, revoked]) expect(await t.ctx.db.user.count({ where: { email } })).toBe(0);
  });

  test("when a member tries to revoke an invitation, then 403; a stranger gets 404; the invitation still works", async () => {
    const { secret, invitation } = await invite();
    const member = await apiClient(world.member);
    expect((await member.a.post(`/api/invitations/${invitation.id as string}/revoke`).set("x-csrf-token", member.token).send({})).status).toBe(403);
    const stranger = await apiClient(world.stranger);
    expect((await stranger.a.post(`/api/invitations/${invitation.id as string}/revoke`).set("x-csrf-token", stranger.token).send({})).status).toBe(404);
    expect((await acceptAsNewPerson(secret)).res.status).toBe(303);
  });
});

describe("Activity and Settings", () => {
  test("when invitations are sent, accepted and revoked, then Activity says so, naming who", async () => {
    const accepted = await invite();
    await acceptAsNewPerson(accepted.secret);
    const revoked = await invite();
    const c = await apiClient(world.owner);
    await c.a.post(`/api/invitations/${revoked.invitation.id as string}/revoke`).set("x-csrf-token", c.token).send({}).expect(200);
    const activity = await c.a.get(`/api/activity?workspace=${world.ws.id}`).expect(200);
    const lines = (activity.body.data as { summary: string; actor: { label: string } }[]).map((e) => `${e.actor.label}: ${e.summary}`);
    expect(lines).toContain(`${world.owner.email}: Invited ${accepted.email} as member`);
    expect(lines).toContain(`${accepted.email}: ${accepted.email} joined as member, invited by ${world.owner.email}`);
    expect(lines).toContain(`${world.owner.email}: Revoked the invitation of ${revoked.email}`);
  });

  test("when an admin invites on the Settings page, then the link is shown once, the page says to pass it on, and it is listed as pending", async () => {
    const a = await signedIn(t, world.admin);
    const page = await a.get(`/settings/members/invitations?workspace=${world.ws.id}`).expect(200);
    expect(page.text).toContain("Email is not set up on this server");
    const email = newEmail();
    const res = await a.post("/settings/members/invitations").type("form")
      .send({ _csrf: csrfFrom(page.text), workspace_id: world.ws.id, email, role: "member" });
    expect(res.status).toBe(201);
    const link = /id="invitation-link"[^>]*value="([^"]+)"/.exec(res.text)?.[1];
    expect(link).toMatch(/\/invitations\/accept\?token=inv_/);
    expect(res.text).toContain("pass this link on");
    const again = await a.get(`/settings/members/invitations?workspace=${world.ws.id}`).expect(200);
    expect(again.text).toContain(email);
    expect(again.text).toContain(world.admin.email);
    expect(again.text).not.toContain(new URL(link!.replace(/&amp;/g, "&")).searchParams.get("token")!);

    // A member sees no form: the page refuses them.
    const member = await signedIn(t, world.member);
    expect((await member.get(`/settings/members/invitations?workspace=${world.ws.id}`)).status).toBe(403);
  });
});

describe("the CLI", () => {
  test("when an operator runs workspace invite, then the link is printed once and works; a missing workspace exits 1", async () => {
    const email = newEmail();
    const run = await runCli(["workspace", "invite", "--workspace", world.ws.id, "--email", email, "--role", "admin", "--json"], {
      databaseUrl: t.config.databaseUrl,
      env: { ISSUER: t.config.issuer },
    });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { link: string; mail: string; invitation: { invited_by: string } };
    expect(out.mail).toBe("not_configured");
    expect(out.invitation.invited_by).toBe("command line");
    const secret = new URL(out.link).searchParams.get("token")!;
    expect((await acceptAsNewPerson(secret)).res.status).toBe(303);
    expect((await membershipsOf(email)).map((m) => m.role)).toEqual(["admin"]);

    const missing = await runCli(["workspace", "invite", "--workspace", "nope", "--email", newEmail(), "--role", "member"], {
      databaseUrl: t.config.databaseUrl,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not_found");
  });
});
