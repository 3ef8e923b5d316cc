import { normalizeAddress } from "../api-keys/ip-allowlist.js";
import type { Caller } from "./principal.js";

const MAX_USER_AGENT = 256;

/** What a last-use write records besides the time: the client address (normalised) and its user agent (bounded). */
export function lastUseDetails(caller: Caller): { lastUsedIp: string | null; lastUsedUserAgent: string | null } {
  const agent = caller.headers["user-agent"];
  return {
    lastUsedIp: normalizeAddress(caller.ip)?.toString() ?? null,
    lastUsedUserAgent: agent ? agent.slice(0, MAX_USER_AGENT) : null,
  };
}
