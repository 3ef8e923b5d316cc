import type { FindAccount } from "oidc-provider";
import type { Db } from "../db/client.js";

/** Accounts are our users; the subject is the user id and no other claim is released. */
export function accountFinder(db: Db): FindAccount {
  return async (_ctx, sub) => {
    const user = await db.user.findUnique({ where: { id: sub }, select: { id: true } });
    if (!user) return undefined;
    return { accountId: user.id, claims: () => ({ sub: user.id }) };
  };
}
