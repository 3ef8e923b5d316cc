import dns from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * The SSRF guard: a delivery may reach only public unicast addresses. Loopback, private, link-local, unique-local,
 * carrier-grade NAT, multicast, broadcast, unspecified and reserved ranges are refused (IPv4-mapped IPv6 is
 * unwrapped first), unless WEBHOOK_ALLOW_PRIVATE_TARGETS=1. Checked on the address actually used: the answer of
 * DNS (guardedLookup) and again the socket's remote address on connect.
 */
export function refusedAddressReason(address: string | undefined): string | null {
  if (!address || !ipaddr.isValid(address)) return `refused: ${address ?? "an unknown address"} is not an IP address we can check`;
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range === "unicast") return null;
  const shown = ip.toString() === address ? address : `${address} (${ip.toString()})`;
  return `refused: ${shown} is a ${RANGE_WORDS[range] ?? `${range} (not public)`} address; webhooks may not reach internal networks (WEBHOOK_ALLOW_PRIVATE_TARGETS=1 allows it)`;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: "loopback",
  private: "private",
  linkLocal: "link-local",
  uniqueLocal: "unique-local",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  broadcast: "broadcast",
  unspecified: "unspecified",
  reserved: "reserved",
};

/** A refused target: the attempt fails with this message and nothing is sent. */
export class RefusedTargetError extends Error {
  readonly code = "WEBHOOK_REFUSED_TARGET";
}

/**
 * A `lookup` for http.request: resolves as usual, keeps only allowed addresses, and fails with the reason when
 * none is left, so the socket can never connect to an address the guard has not seen.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => refusedAddressReason(a.address) === null);
      if (!allowed.length) {
        const reason = refusedAddressReason(addresses[0]?.address) ?? `refused: ${hostname} has no address`;
        return callback(new RefusedTargetError(`${reason} (${hostname})`), "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
