import { LabelSets } from "../../src/metrics/label-sets.js";

describe("LabelSets (one label object per list of values)", () => {
  test("when the same values come again, then the same object is given back, its values as text", () => {
    const sets = new LabelSets(["method", "route", "status"] as const);
    const first = sets.of("GET", "/v1/workspace", 200);
    expect(first).toEqual({ method: "GET", route: "/v1/workspace", status: "200" });
    expect(sets.of("GET", "/v1/workspace", 200)).toBe(first);
  });

  test("when any value differs, then the object differs", () => {
    const sets = new LabelSets(["kind", "outcome"] as const);
    const ok = sets.of("api_key", "ok");
    expect(sets.of("oauth", "ok")).not.toBe(ok);
    expect(sets.of("api_key", "invalid_api_key")).toEqual({ kind: "api_key", outcome: "invalid_api_key" });
    expect(sets.of("api_key", "ok")).toBe(ok);
  });
});
