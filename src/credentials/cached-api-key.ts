import type { KeyForCheck } from "../api-keys/find-key-for-check.js";
import { type AddressMatcher, compileAllowlist } from "../api-keys/ip-allowlist.js";
import { scopesOfKey } from "../api-keys/key-scopes.js";
import type { Principal } from "./principal.js";

/** What the key check keeps per secret: everything a request needs, worked out once when the entry is loaded. */
export interface CachedApiKey {
  id: string;
  status: string;
  expiresAt: number | null;
  /** When this secret stops working on its own: the end of a rotation's overlap (null for the current secret). */
  secretExpiresAt: number | null;
  /** null: any address may use the key. */
  allowlist: AddressMatcher | null;
  principal: Principal;
}


/** The cache entry for a key row, found by its current secret or (`previous`) by the one a rotation replaced. */
export function toCachedApiKey(row: KeyForCheck, previous: boolean): CachedApiKey {
  return {
    id: row.id,
    status: row.status,
    expiresAt: row.expiresAt?.getTime() ?? null,
    // A previous secret without an end (never written so) is treated as ended.
    secretExpiresAt: previous ? (row.previousExpiresAt?.getTime() ?? 0) : null,
    allowlist: compileAllowlist(row.ipAllowlist),
    principal: {
      workspace: { id: row.workspace.id, name: row.workspace.name },
      scopes: new Set(scopesOfKey(row)),
      credential: { type: "api_key", id: row.id, prefix: row.prefix },
      rateKey: `key:${row.id}`,
    },
  };
}
