import { createApiKey } from "../../src/api-keys/create-api-key.js";
import type { ApiKeyAccess } from "../../src/api-keys/api-key-view.js";
import { CLI } from "../../src/audit/audit-log.js";
import type { AppContext } from "../../src/context.js";
import { hashPassword } from "../../src/users/passwords.js";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A user with a known password (hashed at the test cost). */
export async function makeUser(ctx: AppContext, email = `user-${unique()}@example.test`, password = "correct horse battery") {
  const user = await ctx.db.user.create({
    data: { email: email.toLowerCase(), passwordHash: await hashPassword(password, ctx.config.argon2) },
  });
  return { ...user, password };
}

/** A workspace with the given members (role per user). */
export async function makeWorkspace(
  ctx: AppContext,
  name = `Workspace ${unique()}`,
  members: { userId: string; role: "owner" | "admin" | "member" }[] = [],
) {
  return ctx.db.workspace.create({
    data: { name, memberships: { create: members.map((m) => ({ userId: m.userId, role: m.role })) } },
  });
}

/** A live key in a workspace; returns the plaintext secret and the record. */
export async function makeKey(
  ctx: AppContext,
  workspaceId: string,
  access: ApiKeyAccess = "read_write",
  expiresAt: Date | null = null,
) {
  const result = await createApiKey(ctx.apiKeys, { workspaceId, name: `key ${unique()}`, access, expiresAt, actor: CLI });
  if (!result.key) throw new Error("expected a new key");
  return { key: result.key, record: result.apiKey };
}
