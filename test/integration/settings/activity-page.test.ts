import { expireApiKey } from "../../../src/api-keys/expire-api-keys.js";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../../src/api-keys/rotate-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { addMember } from "../../../src/workspaces/add-member.js";
import { removeMember } from "../../../src/workspaces/remove-member.js";
import { setMemberRole } from "../../../src/workspaces/set-member-role.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";
import { signedIn } from "../../support/world.js";
import { OPERATOR } from "../../../src/access/access-scope.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** The text of each row of the activity table, in page order. */
function rows(html: string): string[] {
  const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
  return body
    .split("</tr>")
    .map((row) => row.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

describe("Activity tab", () => {
  test("when keys and memberships change, then each event is listed newest first with who, what and when", async () => {
    const owner = await makeUser(t.ctx);
    const newcomer = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, "Acme Newsletters", [{ userId: owner.id, role: "owner" }]);
    const actor = { type: "user" as const, id: owner.id, label: owner.email };
    const { record } = await makeKey(t.ctx, ws.id, "read_only");
    await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor });
    await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    const expiring = await makeKey(t.ctx, ws.id, "read_write", new Date(Date.now() + 60_000));
    await expireApiKey(t.ctx.apiKeys, expiring.record.id, new Date(Date.now() + 120_000));
    await addMember(t.ctx.db, { workspaceId: ws.id, email: newcomer.email, role: "member", actor });
    await setMemberRole(t.ctx.db, { workspaceId: ws.id, email: newcomer.email, role: "admin", actor });
    await removeMember(t.ctx.db, { workspaceId: ws.id, email: newcomer.email, actor });

    const html = (await (await signedIn(t, owner)).get("/settings/activity").expect(200)).text;
    expect(html).toContain('<a href="/settings/activity" aria-current="page">Activity</a>');
    for (const header of ["When", "Who", "What", "Workspace"]) expect(html).toContain(`<th scope="col">${header}</th>`);
    const lines = rows(html);
    const expected = [
      `${owner.email} Removed ${newcomer.email} from the workspace`,
      `${owner.email} Changed the role of ${newcomer.email} from member to admin`,
      `${owner.email} Added ${newcomer.email} as member`,
      `System API key “${expiring.record.name}” (${expiring.record.prefix}…) expired`,
      `Command line Created API key “${expiring.record.name}” (${expiring.record.prefix}…), Read and Write`,
      `Command line Revoked API key “${record.name}”`,
      `${owner.email} Rotated API key “${record.name}”`,
      `Command line Created API key “${record.name}” (${record.prefix}…), Read Only`,
    ];
    expect(lines).toHaveLength(expected.length);
    expected.forEach((what, i) => {
      expect(lines[i]).toContain(what);
      expect(lines[i]).toMatch(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
      expect(lines[i]).toContain("Acme Newsletters");
    });
  });

  test("when another workspace has events, or the viewer is only a member there, then they are not shown", async () => {
    const admin = await makeUser(t.ctx);
    const mine = await makeWorkspace(t.ctx, "Mine", [{ userId: admin.id, role: "admin" }]);
    const memberOf = await makeWorkspace(t.ctx, "Member only", [{ userId: admin.id, role: "member" }]);
    const foreign = await makeWorkspace(t.ctx, "Foreign");
    const visible = await makeKey(t.ctx, mine.id);
    const hidden1 = await makeKey(t.ctx, memberOf.id);
    const hidden2 = await makeKey(t.ctx, foreign.id);
    const html = (await (await signedIn(t, admin)).get("/settings/activity").expect(200)).text;
    expect(html).toContain(visible.record.name);
    expect(html).not.toContain(hidden1.record.name);
    expect(html).not.toContain(hidden2.record.name);
  });

  test("when a member opens Activity, then they see an explanation and no events", async () => {
    const member = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, "Members Club", [{ userId: member.id, role: "member" }]);
    const { record } = await makeKey(t.ctx, ws.id);
    const html = (await (await signedIn(t, member)).get("/settings/activity").expect(200)).text;
    expect(html).toContain("Only workspace owners and admins can manage their activity");
    expect(html).not.toContain(record.name);
  });

  test("when there are more events than a page holds, then an 'Older activity' link pages through them", async () => {
    const owner = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, "Busy", [{ userId: owner.id, role: "owner" }]);
    const names: string[] = [];
    for (let i = 0; i < 52; i++) names.push((await makeKey(t.ctx, ws.id)).record.name);
    const a = await signedIn(t, owner);
    const first = (await a.get("/settings/activity").expect(200)).text;
    expect(rows(first)).toHaveLength(50);
    const next = /href="(\/settings\/activity\?cursor=[^"]+)">Older activity/.exec(first)![1];
    const second = (await a.get(next.replace(/&amp;/g, "&")).expect(200)).text;
    expect(rows(second)).toHaveLength(2);
    expect(second).toContain(`“${names[0]}”`);
    expect(second).not.toContain("Older activity");
  });
});
