import type Provider from "oidc-provider";
import { recordFirstUse } from "../dpop/proof-replay-store.js";
import type { Db } from "../db/client.js";

interface ReplayDetectionClass {
  unique(iss: string, jti: string, exp: number): Promise<boolean>;
}

/**
 * The provider's replay check of DPoP proofs at the token endpoint uses the same store as /v1. The library's own
 * check reads the adapter, then writes: two nodes (or two requests) can both pass. The store's unique insert
 * lets exactly one pass.
 */
export function shareReplayDetection(provider: Provider, db: Db): void {
  const replayDetection = (provider as unknown as { ReplayDetection: ReplayDetectionClass }).ReplayDetection;
  replayDetection.unique = (iss, jti, exp) => recordFirstUse(db, `provider:${iss}:${jti}`, new Date(exp * 1000));
}
