import type { ChangeDeps } from "../change-feed/record-changes.js";

/** What the registry use cases need: the database and the feed that invalidates every process's token cache. */
export type AuthorizedAppDeps = ChangeDeps;

/** Who ended an authorization: the workspace's people, the app itself, or the system (replay, deleted client). */
export type RevokedBy = "user" | "app" | "system";

/** Why the system ended an authorization, stored on the record and named on every surface. */
export type RevokedReason = "code_replay" | "refresh_token_reuse" | "sign_out" | "client_deleted";
