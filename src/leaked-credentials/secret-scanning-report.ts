import crypto from "node:crypto";
import { z } from "zod";
import { digestKey, isWellFormedKey } from "../api-keys/key-format.js";
import type { ChangeDeps } from "../change-feed/record-changes.js";
import type { Leak } from "./leak.js";
import { revokeLeakedKeys } from "./revoke-leaked-key.js";

export const MAX_REPORTED_MATCHES = 1000;

/** One match in a report, as GitHub's partner program sends it (`url` may be empty; more fields may come). */
export const reportSchema = z
  .array(
    z.looseObject({
      token: z.string().min(1).max(1000),
      type: z.string().max(200),
      url: z.string().max(2000).optional().default(""),
      source: z.string().max(100).optional(),
    }),
  )
  .min(1)
  .max(MAX_REPORTED_MATCHES);

export type ReportedMatch = z.output<typeof reportSchema>[number];

/** The partner program's feedback for one match; the token travels only as its SHA-256 (hex). */
export interface MatchLabel {
  token_hash: string;
  token_type: string;
  label: "true_positive" | "false_positive";
}

/**
 * Handles a verified secret-scanning report: every match that is one of our keys is revoked as found in
 * public (with the URL) if it is still live, and labelled `true_positive`; anything else is a
 * `false_positive`. A key that exists but was already revoked or expired is still a true positive, so a
 * replayed report answers the same labels and changes nothing.
 */
export async function handleSecretScanningReport(deps: ChangeDeps, matches: ReportedMatch[]): Promise<MatchLabel[]> {
  // One URL per key: the first match that names it (GitHub sends one per place it found the key).
  const leaks = new Map<string, Leak>();
  for (const match of matches) {
    if (!isWellFormedKey(match.token)) continue;
    const digest = digestKey(match.token);
    if (!leaks.has(digest)) leaks.set(digest, { reason: "found_public", url: match.url });
  }
  const ours = await revokeLeakedKeys(deps, leaks);
  return matches.map((match) => {
    // Our key digest is the same SHA-256 (hex) the partner program asks for as token_hash.
    const tokenHash = crypto.createHash("sha256").update(match.token).digest("hex");
    return { token_hash: tokenHash, token_type: match.type, label: ours.has(tokenHash) ? "true_positive" : "false_positive" };
  });
}
