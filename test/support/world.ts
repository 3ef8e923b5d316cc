import type { TestApp } from "./app.js";
import { makeUser, makeWorkspace } from "./fixtures.js";
import { agent, csrfFrom, signIn } from "./forms.js";

export type Agent = ReturnType<typeof agent>;
type User = Awaited<ReturnType<typeof makeUser>>;

/**
 * Two workspaces: `ws` with an owner, an admin and a member, and `other` owned by a stranger. Every Settings
 * test needs this cast: the allowed person and the refused ones.
 */
export async function makeWorld(t: TestApp) {
  const [owner, admin, member, stranger] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  const ws = await makeWorkspace(t.ctx, undefined, [
    { userId: owner.id, role: "owner" },
    { userId: admin.id, role: "admin" },
    { userId: member.id, role: "member" },
  ]);
  const other = await makeWorkspace(t.ctx, undefined, [{ userId: stranger.id, role: "owner" }]);
  return { owner, admin, member, stranger, ws, other };
}

/** A signed-in agent for a user. */
export async function signedIn(t: TestApp, user: User): Promise<Agent> {
  return signIn(agent(t.app), user.email, user.password);
}

/** The CSRF token a page offers (the first form's). */
export async function tokenFrom(a: Agent, path = "/settings/api-keys"): Promise<string> {
  return csrfFrom((await a.get(path).expect(200)).text);
}

/** The value of a hidden field on a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (match === null) throw new Error(`no field ${name} on the page`);
  return match[1];
}

/** The secret key shown on a "Save Your API Key" page, if any. */
export function shownKey(html: string): string | null {
  return /id="new-key"[^>]*value="(mrk_[A-Za-z0-9]+)"/.exec(html)?.[1] ?? null;
}
