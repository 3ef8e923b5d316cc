import { sha256 } from "../hashing/sha256.js";
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { Db } from "../db/client.js";
import { deleteInBatches } from "../db/delete-in-batches.js";
import type { ProviderClientCache } from "./clients/provider-client-cache.js";
import { consumeStoredModel, findStoredModel, type StoredModel, upsertStoredModel, upsertStoredModels } from "./oidc-model-queries.js";
import { GroupedTokenWrites } from "./grouped-token-writes.js";
import { type HeldWrites, tokenRequestWrites } from "./token-request-writes.js";

/**
 * Models whose id is a bearer credential: the opaque token value itself, the provider's `_session` cookie
 * value, the `_interaction` cookie value. Only a digest of the id is stored, and the payload is stored
 * without its `jti` (or any other copy of the id), so a copy of the table grants nothing.
 */
const SECRET_IDS = new Set(["AccessToken", "RefreshToken", "AuthorizationCode", "ClientCredentials", "Session", "Interaction"]);

/** Single-use models: redeeming one twice (even at the same instant) revokes what its grant issued. */
const SINGLE_USE = new Set(["AuthorizationCode", "RefreshToken"]);

/**
 * A Session found by its uid (`Session.findByUid`) has no plaintext id to give back, only the stored digest:
 * it gets this prefix plus the digest as its id, which `upsert` and `destroy` take as the stored id and
 * `find` refuses, so a cookie carrying such a value finds nothing. `:` is outside the provider's id alphabet.
 */
const STORED_ID = "stored:";

/** Where an Interaction's payload repeats its id: the resume URL (`…/auth/<uid>`). */
const ID_PLACEHOLDER = ":uid";

const digest = (id: string) => sha256(id, "base64url");

/** The stored id of a model instance: a SHA-256 digest for bearer credentials, the id itself otherwise. */
export function storageId(type: string, id: string): string {
  if (!SECRET_IDS.has(type)) return id;
  return id.startsWith(STORED_ID) ? id.slice(STORED_ID.length) : digest(id);
}

/** The payload as stored: without the id, nor the session cookie value an Interaction copies from its Session. */
function storedPayload(type: string, id: string, payload: AdapterPayload): AdapterPayload {
  const stored = { ...payload };
  if (!SECRET_IDS.has(type)) return stored;
  delete stored.jti;
  if (type === "Interaction") {
    if (typeof stored.returnTo === "string") stored.returnTo = stored.returnTo.split(id).join(ID_PLACEHOLDER);
    if (stored.session) stored.session = { ...stored.session, cookie: undefined };
  }
  return stored;
}

export interface AdapterHooks {
  /**
   * A code or refresh token lost a race to be redeemed: another request consumed it between this one's
   * read and its update. Treated like a replay: everything its grant issued is revoked.
   */
  onConcurrentRedemption(grantId: string, model: "AuthorizationCode" | "RefreshToken"): Promise<void>;
}

type Row = StoredModel;

/**
 * Stores one oidc-provider model in the OidcModel table. `consume` is a conditional update (only an
 * unconsumed row changes), so of many parallel redemptions of one code exactly one succeeds.
 *
 * In a token request (token-request-writes.ts) the redemption and the tokens issued for it are held and written
 * together when the access token is stored, in one transaction that redeems first (shared with the token requests
 * waiting at the same moment: grouped-token-writes.ts): the request that loses a race
 * to redeem writes nothing and gets `invalid_grant`, as before, and its grant is revoked; a request that fails
 * before issuing its access token leaves the code or refresh token unredeemed, since nothing was issued for it.
 * Any other storage call while writes are held writes them first, so the order of writes stays the library's.
 */
class OidcModelAdapter implements Adapter {
  constructor(
    private readonly db: Db,
    private readonly type: string,
    private readonly hooks: AdapterHooks,
    private readonly grouped: GroupedTokenWrites,
  ) {}

  private key(id: string) {
    return { id_type: { id: storageId(this.type, id), type: this.type } };
  }

  /** `id`: what the row was found by; absent when found another way (then only a stand-in id can be given). */
  private decode(row: Row | null, id?: string): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (SECRET_IDS.has(this.type)) {
      payload.jti = id ?? `${STORED_ID}${row.id}`;
      if (id !== undefined && typeof payload.returnTo === "string") payload.returnTo = payload.returnTo.split(ID_PLACEHOLDER).join(id);
    }
    if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
    return payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored = storedPayload(this.type, id, payload);
    const data = {
      payload: JSON.stringify(stored),
      grantId: payload.grantId ?? null,
      userCode: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    const held = tokenRequestWrites.getStore();
    if (held?.consume && (this.type === "RefreshToken" || this.type === "AccessToken")) {
      held.upserts.push({ id: storageId(this.type, id), type: this.type, data });
      // The access token is the last thing a grant stores before it answers.
      if (this.type === "AccessToken") await this.writeHeld(held);
      return;
    }
    await this.writeHeld(held);
    await upsertStoredModel(this.db, storageId(this.type, id), this.type, data);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (id.startsWith(STORED_ID)) return undefined;
    await this.writeHeld(tokenRequestWrites.getStore());
    return this.decode(await findStoredModel(this.db, storageId(this.type, id), this.type), id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    await this.writeHeld(tokenRequestWrites.getStore());
    return this.decode(await this.db.oidcModel.findFirst({ where: { type: this.type, uid } }));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    await this.writeHeld(tokenRequestWrites.getStore());
    return this.decode(await this.db.oidcModel.findFirst({ where: { type: this.type, userCode } }));
  }

  async consume(id: string): Promise<void> {
    const held = tokenRequestWrites.getStore();
    if (held && !held.consume && SINGLE_USE.has(this.type)) {
      held.consume = { id: storageId(this.type, id), type: this.type as "AuthorizationCode" | "RefreshToken" };
      return;
    }
    await this.writeHeld(held);
    if (await consumeStoredModel(this.db, storageId(this.type, id), this.type, new Date())) return;
    await lostRedemption(this.db, this.hooks, storageId(this.type, id), this.type);
  }

  async destroy(id: string): Promise<void> {
    await this.writeHeld(tokenRequestWrites.getStore());
    await this.db.oidcModel.deleteMany({ where: { id: storageId(this.type, id), type: this.type } });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.writeHeld(tokenRequestWrites.getStore());
    await this.db.oidcModel.deleteMany({ where: { type: this.type, grantId } });
  }

  /** Writes what the token request holds, if anything: the redemption first, then (only if it won) the tokens. */
  private async writeHeld(held: HeldWrites | undefined): Promise<void> {
    if (!held?.consume && !held?.upserts.length) return;
    const { consume, upserts } = held;
    held.consume = undefined;
    held.upserts = [];
    if (!consume) return upsertStoredModels(this.db, upserts);
    if (!(await this.grouped.write(consume, upserts))) await lostRedemption(this.db, this.hooks, consume.id, consume.type);
  }
}

/**
 * A redemption that lost: the library read the code or token as unconsumed, but another request consumed (or
 * revoked) it since. Treated like a replay (its grant revoked); always throws `invalid_grant`.
 */
async function lostRedemption(db: Db, hooks: AdapterHooks, storedId: string, type: string): Promise<never> {
  const row = await db.oidcModel.findUnique({ where: { id_type: { id: storedId, type } }, select: { grantId: true } });
  if (row?.grantId && SINGLE_USE.has(type)) await hooks.onConcurrentRedemption(row.grantId, type as "AuthorizationCode" | "RefreshToken");
  throw new errors.InvalidGrant(`${type === "RefreshToken" ? "refresh token" : "authorization code"} already used`);
}

/** Clients are registered by operators in OAuthClient; the provider only reads them (through the cache). */
class ClientAdapter implements Adapter {
  constructor(private readonly clients: ProviderClientCache) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (id.startsWith(STORED_ID)) return undefined;
    return this.clients.find(id);
  }

  async upsert(): Promise<void> {
    throw new Error("clients are registered with the command line, not through the provider");
  }

  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(): Promise<void> {}

  async destroy(): Promise<void> {}

  async revokeByGrantId(): Promise<void> {}
}

/** The adapter factory oidc-provider calls once per model name. */
export function prismaAdapter(db: Db, clients: ProviderClientCache, hooks: AdapterHooks): (name: string) => Adapter {
  const grouped = new GroupedTokenWrites(db);
  return (name) => (name === "Client" ? new ClientAdapter(clients) : new OidcModelAdapter(db, name, hooks, grouped));
}

/**
 * Deletes rows past their expiry (interactions, sessions, codes, tokens, grants), in batches. Consumed codes
 * and rotated refresh tokens stay until then, for replay detection.
 */
export function purgeExpiredOidcModels(db: Db, now = new Date()): Promise<number> {
  const expired = { expiresAt: { lt: now } };
  return deleteInBatches(
    (take) => db.oidcModel.findMany({ where: expired, select: { id: true, type: true }, take }),
    async (rows) => {
      let count = 0;
      for (const type of new Set(rows.map((r) => r.type))) {
        const ids = rows.filter((r) => r.type === type).map((r) => r.id);
        count += (await db.oidcModel.deleteMany({ where: { ...expired, type, id: { in: ids } } })).count;
      }
      return count;
    },
  );
}
