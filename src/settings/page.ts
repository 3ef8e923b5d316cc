import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { AuthenticationError } from "../errors/app-error.js";
import type { PageKit } from "../sessions/page-kit.js";
import type { SignedInUser } from "../users/session-user.js";
import { fmt } from "./format.js";
import { loadViewer, type Viewer } from "./viewer.js";

export type SettingsTab = "api-keys" | "authorized-apps" | "members" | "activity" | "account";

/** The signed-in user; requireUser runs first, so a missing one is a wiring mistake turned into a 401. */
export function signedIn(req: Request): SignedInUser {
  if (!req.user) throw new AuthenticationError("missing_credentials", "Sign in first.");
  return req.user;
}

/** The viewer of this request (their workspaces and roles, read fresh: a role change applies at once). */
export function viewerOf(ctx: AppContext, req: Request): Promise<Viewer> {
  return loadViewer(ctx.db, signedIn(req));
}

/** Renders a Settings page inside the shared layout (header, tabs, sign-out form). */
export function renderSettings(
  req: Request,
  res: Response,
  kit: PageKit,
  page: { tab: SettingsTab; title: string; viewer: Viewer; status?: number; /** A template other than the tab's own. */ view?: string },
  locals: Record<string, unknown>,
): void {
  res.status(page.status ?? 200).render(`settings/${page.view ?? page.tab}`, {
    ...locals,
    title: page.title,
    tab: page.tab,
    viewer: page.viewer,
    csrfToken: kit.csrfToken(req, res),
    fmt,
  });
}
