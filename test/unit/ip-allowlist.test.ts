import { compileAllowlist, MAX_ALLOWLIST_ENTRIES, normalizeAllowlist } from "../../src/api-keys/ip-allowlist.js";

const allows = (list: string[], address: string) => compileAllowlist(normalizeAllowlist(list).join(" "))!.allows(address);

describe("IP allowlist entries", () => {
  test("when entries are given, then they are canonical: host bits cleared, IPv6 compressed, mapped IPv4 unwrapped, duplicates dropped", () => {
    expect(normalizeAllowlist("203.0.113.7, 10.1.2.3/8\n2001:DB8:0:0::1 2001:db8::1/32 ::ffff:198.51.100.7 203.0.113.7")).toEqual([
      "203.0.113.7",
      "10.0.0.0/8",
      "2001:db8::1",
      "2001:db8::/32",
      "198.51.100.7",
    ]);
    expect(normalizeAllowlist(["::ffff:10.0.0.0/104"])).toEqual(["10.0.0.0/8"]);
    expect(normalizeAllowlist("")).toEqual([]);
  });

  test.each(["10", "0xa.0.0.1", "256.0.0.1", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "fe80::1%eth0", "example.com", "10.0.0.0/8/8", "1.2.3.4/-1"])(
    "when the entry %s is given, then it is refused 422 with the entry named",
    (entry) => {
      expect(() => normalizeAllowlist([entry])).toThrow(expect.objectContaining({ status: 422, message: expect.stringContaining(entry.slice(0, 20)) }));
    },
  );

  test("when more than 50 entries are given, then the list is refused; 50 are accepted", () => {
    const list = Array.from({ length: MAX_ALLOWLIST_ENTRIES + 1 }, (_, i) => `192.0.2.${i}`);
    expect(normalizeAllowlist(list.slice(0, MAX_ALLOWLIST_ENTRIES))).toHaveLength(MAX_ALLOWLIST_ENTRIES);
    expect(() => normalizeAllowlist(list)).toThrow(expect.objectContaining({ status: 422 }));
  });
});

describe("IP allowlist matching", () => {
  test("when an IPv4 range is listed, then its first and last addresses match and the neighbours outside do not", () => {
    const list = ["198.51.100.0/24"];
    expect(allows(list, "198.51.100.0")).toBe(true);
    expect(allows(list, "198.51.100.255")).toBe(true);
    expect(allows(list, "198.51.99.255")).toBe(false);
    expect(allows(list, "198.51.101.0")).toBe(false);
  });

  test("when /32, /0, /128 and ::/0 are listed, then they mean one address or every address of their family", () => {
    expect(allows(["203.0.113.7/32"], "203.0.113.7")).toBe(true);
    expect(allows(["203.0.113.7/32"], "203.0.113.8")).toBe(false);
    expect(allows(["0.0.0.0/0"], "8.8.8.8")).toBe(true);
    expect(allows(["0.0.0.0/0"], "2001:db8::1")).toBe(false);
    expect(allows(["::/0"], "2001:db8::1")).toBe(true);
    expect(allows(["2001:db8::1/128"], "2001:db8::1")).toBe(true);
    expect(allows(["2001:db8::1/128"], "2001:db8::2")).toBe(false);
  });

  test("when an IPv6 range is listed, then addresses inside match in any spelling and those outside do not", () => {
    expect(allows(["2001:db8::/32"], "2001:0db8:ffff::1")).toBe(true);
    expect(allows(["2001:db8::/32"], "2001:db9::1")).toBe(false);
  });

  test("when the client address is IPv4-mapped IPv6, then it matches the IPv4 entry (and an IPv4 client matches a mapped entry)", () => {
    expect(allows(["192.0.2.7"], "::ffff:192.0.2.7")).toBe(true);
    expect(allows(["192.0.2.0/24"], "::ffff:192.0.2.99")).toBe(true);
    expect(allows(["::ffff:192.0.2.7"], "192.0.2.7")).toBe(true);
    expect(allows(["192.0.2.7"], "::ffff:192.0.2.8")).toBe(false);
  });

  test("when the client address is missing or not an address, then nothing matches", () => {
    const matcher = compileAllowlist("0.0.0.0/0 ::/0")!;
    expect(matcher.allows(undefined)).toBe(false);
    expect(matcher.allows("unknown")).toBe(false);
    expect(compileAllowlist("")).toBeNull();
  });
});
