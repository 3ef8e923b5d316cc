import type { Principal } from "../credentials/principal.js";
import type { Logger } from "../logger.js";
import type { SignedInUser } from "../users/session-user.js";

declare global {
  namespace Express {
    interface Request {
      /** Set by the request logger: the request id, echoed as `x-request-id` and logged as `request_id`. */
      id: string;
      /** Logs from inside a handler; every line carries `request_id` (http/request-logging.ts). */
      log: Logger;
      /** Set by `authenticate` on /v1: the workspace and scopes the bearer credential grants. */
      principal?: Principal;
      /** Set by the session middleware on pages and /api: the signed-in person. */
      user?: SignedInUser;
    }
  }
}
