import type { Request, Response } from "express";
import fc from "fast-check";
import { refuseUnknownHosts } from "../../src/http/allowed-hosts.js";

const check = refuseUnknownHosts(["localhost", "auth.example.com", "127.0.0.1"], () => false);

/** What the middleware decides for a request with this Host header (and origin-form target unless given). */
function decide(host: string | undefined, url = "/v1/workspace"): "served" | string {
  let outcome = "not called";
  check({ url, headers: { host } } as Request, {} as Response, (err?: unknown) => {
    outcome = err === undefined ? "served" : ((err as { code?: string }).code ?? "error");
  });
  return outcome;
}

describe("refuseUnknownHosts (the Host header read without a URL for names the URL parser leaves unchanged)", () => {
  test("when the Host is an allowed name, with or without a valid port, then the request is served", () => {
    for (const host of ["localhost", "localhost:3000", "auth.example.com:443", "127.0.0.1:65535", "127.0.0.1:"]) {
      expect([host, decide(host)]).toEqual([host, "served"]);
    }
  });

  test("when the Host spells an allowed name differently (case, numeric form), then the URL parser decides, as before", () => {
    expect(decide("LOCALHOST:3000")).toBe("served");
    expect(decide("Auth.Example.COM")).toBe("served");
    expect(decide("0x7f.0.0.1")).toBe("served");
  });

  test("when the Host is unknown, has a port out of range or a bad port, or is missing, then 400 unknown_host", () => {
    for (const host of ["evil.example", "localhost.evil.example", "127.0.0.1:65536", "localhost:12ab", "localhost:99999", undefined]) {
      expect([host, decide(host)]).toEqual([host, "unknown_host"]);
    }
  });

  test("when the target is in absolute form, then its authority decides, not the Host header", () => {
    expect(decide("localhost", "http://evil.example/v1/workspace")).toBe("unknown_host");
    expect(decide("evil.example", "http://localhost/v1/workspace")).toBe("served");
  });

  test("when many Host values come one after another, then remembering the accepted ones never changes a decision (property)", () => {
    const allowed = ["localhost", "auth.example.com", "127.0.0.1"];
    const host = fc.oneof(
      fc.tuple(fc.constantFrom(...allowed, "evil.example", "LOCALHOST"), fc.option(fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), fc.constantFrom("", "12ab", "0080")))).map(
        ([name, port]) => (port === null ? name : `${name}:${port}`),
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(host, { minLength: 1, maxLength: 120 }), (hosts) => {
        const remembering = refuseUnknownHosts(allowed, () => false);
        for (const value of hosts) {
          // A fresh middleware has remembered nothing: its decision is the reference.
          const expected = decideWith(refuseUnknownHosts(allowed, () => false), value);
          expect([value, decideWith(remembering, value)]).toEqual([value, expected]);
        }
      }),
      { seed: 15, numRuns: 200 },
    );
  });
});

function decideWith(middleware: ReturnType<typeof refuseUnknownHosts>, host: string): string {
  let outcome = "not called";
  void middleware({ url: "/v1/workspace", headers: { host } } as Request, {} as Response, (err?: unknown) => {
    outcome = err === undefined ? "served" : ((err as { code?: string }).code ?? "error");
  });
  return outcome;
}

