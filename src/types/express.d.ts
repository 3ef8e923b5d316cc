import type { Principal } from "../credentials/principal.js";
import type { SignedInUser } from "../users/session-user.js";

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate` on /v1: the workspace and scopes the bearer credential grants. */
      principal?: Principal;
      /** Set by the session middleware on pages and /api: the signed-in person. */
      user?: SignedInUser;
    }
  }
}
