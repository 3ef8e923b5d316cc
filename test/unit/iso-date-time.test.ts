import fc from "fast-check";
import { isoDateTime } from "../../src/db/read-rows.js";

/** Millisecond instants from year 0000 to 9999, the range both databases' DateTime(3) columns hold. */
const instants = fc.date({ min: new Date("0000-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true });

describe("isoDateTime: a date-time the database gave, as ISO text", () => {
  test("when it is in the form Prisma's adapters give (…sss+00:00), then it is exactly what a Date would print", () => {
    fc.assert(
      fc.property(instants, (date) => {
        const stored = date.toISOString().replace("Z", "+00:00");
        expect(isoDateTime(stored)).toBe(date.toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  test("when it is in any other form a Date reads (fewer digits, another offset, a space), then it is what a Date would print", () => {
    const forms = [
      "2026-12-02T03:31:15.35+00:00",
      "2026-12-02T03:31:15+00:00",
      "2026-12-02T03:31:15.357+02:00",
      "2026-12-02T03:31:15.357-05:30",
      "2026-12-02T03:31:15.357Z",
      "2026-12-02 03:31:15.357+00:00",
    ];
    for (const text of forms) expect(isoDateTime(text)).toBe(new Date(text).toISOString());
  });

  test("when it is already ISO text, or milliseconds since the epoch, then it is what a Date would print", () => {
    fc.assert(
      fc.property(instants, (date) => {
        expect(isoDateTime(date.toISOString())).toBe(date.toISOString());
        expect(isoDateTime(date.getTime())).toBe(date.toISOString());
      }),
      { numRuns: 1000 },
    );
  });

  test("when it is no date at all, then it fails as a Date would, rather than passing text through", () => {
    expect(() => isoDateTime("not a date")).toThrow(RangeError);
    expect(() => isoDateTime("2026-13-02T03:31:15.357+00:00")).toThrow(RangeError);
  });
});
