import type { FindAccount } from "oidc-provider";
import type { Db } from "../db/client.js";

const REMEMBERED = 100_000;

/**
 * Accounts are our users; the subject is the user id and no other claim is released. Users are never
 * deleted, so an account once found is remembered and the token endpoint asks the database no more
 * (an unknown subject is asked every time).
 */
export function accountFinder(db: Db): FindAccount {
  const known = new Set<string>();
  return async (_ctx, sub) => {
    if (!known.has(sub)) {
      const user = await db.user.findUnique({ where: { id: sub }, select: { id: true } });
      if (!user) return undefined;
      if (known.size >= REMEMBERED) known.clear();
      known.add(user.id);
    }
    return { accountId: sub, claims: () => ({ sub }) };
  };
}
