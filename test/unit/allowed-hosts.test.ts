import type { Request, Response } from "express";
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
});
