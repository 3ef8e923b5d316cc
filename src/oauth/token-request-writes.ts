import { AsyncLocalStorage } from "node:async_hooks";
import type Provider from "oidc-provider";
import type { StoredModelData } from "./oidc-model-queries.js";

/** A Koa middleware run by the provider before its own routes (`provider.use`). */
type Middleware = Parameters<Provider["use"]>[0];

/** A row the token endpoint stores (a new refresh or access token), held until its request's one write. */
export interface HeldUpsert {
  id: string;
  type: string;
  data: StoredModelData;
}

/**
 * The writes of one token request, held by the storage adapter (prisma-adapter.ts): the code or refresh token
 * it redeems, and the tokens it issues, until the access token is stored; then all of them in one transaction.
 */
export interface HeldWrites {
  consume?: { id: string; type: "AuthorizationCode" | "RefreshToken" };
  upserts: HeldUpsert[];
}

/** The held writes of the token request being handled (none outside POST /token). */
export const tokenRequestWrites = new AsyncLocalStorage<HeldWrites>();

/**
 * Gives each POST /token request a place for its held writes. A refresh grant used to write three times (consume
 * the old token, store the new refresh token, store the access token), three transactions each waiting for the
 * disk (SQLite's commit syncs the file: about 4 ms each here); held, they are one transaction and one sync, which
 * the token requests waiting at the same moment share (grouped-token-writes.ts).
 */
export const holdTokenWrites: Middleware = (ctx, next) =>
  ctx.method === "POST" && ctx.path === "/token" ? tokenRequestWrites.run({ upserts: [] }, next) : next();
