import ipaddr from "ipaddr.js";
import { ValidationError } from "../errors/app-error.js";

/** At most this many entries per key: a list is for a few egress addresses or ranges, not a firewall. */
export const MAX_ALLOWLIST_ENTRIES = 50;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * An address the way the allowlist compares it: IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack
 * socket reports for an IPv4 client) becomes the IPv4 address; null when it is not an address at all.
 */
export function normalizeAddress(value: string | undefined): Address | null {
  if (!value) return null;
  try {
    // A zone id (`fe80::1%eth0`) names an interface of this host, never a client on the internet.
    return ipaddr.process(value.split("%")[0]);
  } catch {
    return null;
  }
}

/** Dotted-quad IPv4 or IPv6 without a zone: ipaddr.js also takes `10` or `0xa.1` (inet_aton forms), which people never mean. */
function isPlainAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (!text.includes("%") && ipaddr.IPv6.isValid(text));
}

/** One entry in canonical text: `192.0.2.7`, `2001:db8::1`, `10.0.0.0/8` (host bits cleared), `2001:db8::/32`. */
function canonicalEntry(raw: string): string {
  const entry = raw.trim();
  const invalid = () => new ValidationError(`"${entry.slice(0, 60)}" is not a valid IP address or CIDR range.`);
  const [addressText, bitsText, extra] = entry.split("/");
  if (extra !== undefined || !isPlainAddress(addressText)) throw invalid();
  const address = normalizeAddress(addressText);
  if (!address) throw invalid();
  if (bitsText === undefined) return address.toString();
  if (!/^\d{1,3}$/.test(bitsText)) throw invalid();
  // A mapped IPv6 range (::ffff:10.0.0.0/104) becomes the IPv4 range it means, like a mapped address.
  const mappedShift = addressText.includes(":") && address.kind() === "ipv4" ? 96 : 0;
  const bits = Number(bitsText) - mappedShift;
  if (bits < 0 || bits > (address.kind() === "ipv4" ? 32 : 128)) throw invalid();
  const network = ipaddr.fromByteArray(networkBytes(address.toByteArray(), bits));
  return `${network.toString()}/${bits}`;
}

function networkBytes(bytes: number[], bits: number): number[] {
  return bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

/**
 * Validates and canonicalises an allowlist (addresses and CIDR ranges, IPv4 and IPv6): duplicates dropped,
 * at most MAX_ALLOWLIST_ENTRIES. Accepts a list or text separated by commas, spaces or new lines.
 */
export function normalizeAllowlist(input: readonly string[] | string): string[] {
  const raw = typeof input === "string" ? input.split(/[\s,]+/) : input.flatMap((e) => e.split(/[\s,]+/));
  const entries = [...new Set(raw.filter((e) => e.trim() !== "").map(canonicalEntry))];
  if (entries.length > MAX_ALLOWLIST_ENTRIES) {
    throw new ValidationError(`An allowlist holds at most ${MAX_ALLOWLIST_ENTRIES} addresses or ranges.`);
  }
  return entries;
}

/** Decides whether a client address may use a key; built once per cached key, so a check parses nothing but the address. */
export interface AddressMatcher {
  allows(clientAddress: string | undefined): boolean;
}

/**
 * The matcher for a stored allowlist (space-separated canonical entries), or null for "any address".
 * Exact addresses go in a set (one lookup); ranges are parsed here, once, and tested with `match`.
 */
export function compileAllowlist(stored: string): AddressMatcher | null {
  if (!stored) return null;
  const exact = new Set<string>();
  const ranges: [Address, number][] = [];
  for (const entry of stored.split(" ")) {
    if (entry.includes("/")) ranges.push(ipaddr.parseCIDR(entry));
    else exact.add(entry);
  }
  return {
    allows(clientAddress) {
      const address = normalizeAddress(clientAddress);
      if (!address) return false;
      if (exact.has(address.toString())) return true;
      const kind = address.kind();
      return ranges.some(([network, bits]) => network.kind() === kind && address.match(network, bits));
    },
  };
}
