import type Provider from "oidc-provider";
import type { Db } from "../db/client.js";
import { SESSION_COOKIE } from "../sessions/page-kit.js";
import { findSessionSignIn } from "../sessions/session-store.js";

type ProviderSession = Awaited<ReturnType<Provider["Session"]["get"]>>;

/** Takes the provider's session out of any account: the person is not signed in to our pages. */
function signOut(session: ProviderSession): void {
  for (const field of ["accountId", "loginTs", "amr", "acr", "transient"] as const) delete session[field];
  session.authorizations = {};
}

/**
 * One sign-in for our pages and the authorization server. oidc-provider keeps its own session (the
 * `_session` cookie); each time it loads it, our session cookie decides who is signed in: a person signed
 * in to Settings is signed in to the provider too (so `prompt=none` gets `consent_required`, not
 * `login_required`), someone else's provider session is switched to them, and a provider session without
 * one of ours signs nobody in. The sign-in time is ours, so `max_age` stays honest.
 *
 * The provider loads its session in one place (`Session.get`, before it looks up the account and the
 * grant), which is why the hook is there rather than in a policy check (those run after both lookups).
 */
export function shareSignIn(provider: Provider, db: Db): void {
  const Session = provider.Session;
  const loadProviderSession = Session.get.bind(Session);
  Session.get = async (ctx) => {
    const session = await loadProviderSession(ctx);
    const ours = await findSessionSignIn(db, ctx.cookies.get(SESSION_COOKIE, { signed: false }));
    if (session.accountId === ours?.userId) return session;
    if (ours) {
      session.authorizations = {};
      session.loginAccount({ accountId: ours.userId, loginTs: Math.floor(ours.signedInAt.getTime() / 1000), amr: ["pwd"] });
    } else {
      signOut(session);
    }
    // Saved at the end of the request even if nothing else changes (an interaction looks it up by uid).
    Object.assign(session, { touched: true });
    return session;
  };
}
