import type { Request } from "express";
import type { AppContext } from "../context.js";
import { AuthenticationError } from "../errors/app-error.js";
import type { SignedInUser } from "../users/session-user.js";
import { loadViewer, type Viewer } from "../workspaces/viewer.js";

/** The signed-in user; requireUser runs first, so a missing one is a wiring mistake turned into a 401. */
export function signedIn(req: Request): SignedInUser {
  if (!req.user) throw new AuthenticationError("missing_credentials", "Sign in first.");
  return req.user;
}

/** The viewer of this request (their workspaces and roles, read fresh: a role change applies at once). */
export function viewerOf(ctx: AppContext, req: Request): Promise<Viewer> {
  return loadViewer(ctx.db, signedIn(req));
}
