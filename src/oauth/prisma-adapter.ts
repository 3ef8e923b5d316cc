import crypto from "node:crypto";
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { Db } from "../db/client.js";
import { findProviderClient } from "./clients/provider-client.js";

/**
 * Models whose id is a bearer credential (the opaque token value itself). Only a digest of the id is
 * stored, and the payload is stored without its `jti`, so a copy of the table grants nothing.
 */
const SECRET_IDS = new Set(["AccessToken", "RefreshToken", "AuthorizationCode", "ClientCredentials"]);

/** Single-use models: redeeming one twice (even at the same instant) revokes what its grant issued. */
const SINGLE_USE = new Set(["AuthorizationCode", "RefreshToken"]);

/** The stored id of a model instance: a SHA-256 digest for bearer credentials, the id itself otherwise. */
export function storageId(type: string, id: string): string {
  return SECRET_IDS.has(type) ? crypto.createHash("sha256").update(id).digest("base64url") : id;
}

export interface AdapterHooks {
  /**
   * A code or refresh token lost a race to be redeemed: another request consumed it between this one's
   * read and its update. Treated like a replay: everything its grant issued is revoked.
   */
  onConcurrentRedemption(grantId: string, model: "AuthorizationCode" | "RefreshToken"): Promise<void>;
}

type Row = { payload: string; consumedAt: Date | null };

/**
 * Stores one oidc-provider model in the OidcModel table. `consume` is a conditional update (only an
 * unconsumed row changes), so of many parallel redemptions of one code exactly one succeeds.
 */
class OidcModelAdapter implements Adapter {
  constructor(
    private readonly db: Db,
    private readonly type: string,
    private readonly hooks: AdapterHooks,
  ) {}

  private key(id: string) {
    return { id_type: { id: storageId(this.type, id), type: this.type } };
  }

  private decode(row: Row | null, id?: string): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (id !== undefined && SECRET_IDS.has(this.type)) payload.jti = id;
    if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
    return payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored = { ...payload };
    if (SECRET_IDS.has(this.type)) delete stored.jti;
    const data = {
      payload: JSON.stringify(stored),
      grantId: payload.grantId ?? null,
      userCode: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    const key = this.key(id);
    await this.db.oidcModel.upsert({ where: key, create: { ...key.id_type, ...data }, update: data });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.decode(await this.db.oidcModel.findUnique({ where: this.key(id) }), id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.decode(await this.db.oidcModel.findFirst({ where: { type: this.type, uid } }));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.decode(await this.db.oidcModel.findFirst({ where: { type: this.type, userCode } }));
  }

  async consume(id: string): Promise<void> {
    const sid = storageId(this.type, id);
    const { count } = await this.db.oidcModel.updateMany({
      where: { id: sid, type: this.type, consumedAt: null },
      data: { consumedAt: new Date() },
    });
    if (count > 0) return;
    // The library read this row as unconsumed, but another request consumed (or revoked) it since.
    const row = await this.db.oidcModel.findUnique({ where: this.key(id), select: { grantId: true } });
    if (row?.grantId && SINGLE_USE.has(this.type)) await this.hooks.onConcurrentRedemption(row.grantId, this.type as "AuthorizationCode" | "RefreshToken");
    throw new errors.InvalidGrant(`${this.type === "RefreshToken" ? "refresh token" : "authorization code"} already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.db.oidcModel.deleteMany({ where: { id: storageId(this.type, id), type: this.type } });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.oidcModel.deleteMany({ where: { type: this.type, grantId } });
  }
}

/** Clients are registered by operators in OAuthClient; the provider only reads them. */
class ClientAdapter implements Adapter {
  constructor(private readonly db: Db) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    return findProviderClient(this.db, id);
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
export function prismaAdapter(db: Db, hooks: AdapterHooks): (name: string) => Adapter {
  return (name) => (name === "Client" ? new ClientAdapter(db) : new OidcModelAdapter(db, name, hooks));
}

/** Deletes rows past their expiry. Consumed codes and rotated refresh tokens stay until then, for replay detection. */
export async function purgeExpiredOidcModels(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.oidcModel.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
