import { isDatabaseUnavailable } from "../../src/db/database-unavailable.js";

describe("telling a database outage from other errors, by the error alone", () => {
  test("when pg gives up on a query or a pool connection, then it is an outage", () => {
    for (const message of ["Query read timeout", "Connection terminated unexpectedly", "timeout exceeded when trying to connect"]) {
      expect(isDatabaseUnavailable(new Error(message))).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error("Connection terminated due to connection timeout", { cause: new Error("x") }))).toBe(true);
  });

  test("when Prisma reports an unreachable server, a pool timeout or a cancelled statement, then it is an outage", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("Can't reach database server"), { code: "P1001" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Timed out fetching a new connection"), { code: "P2024" }))).toBe(true);
    const cancelled = Object.assign(new Error("Raw query failed. Code: `57014`"), {
      code: "P2010",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "57014", kind: "postgres" } } },
    });
    expect(isDatabaseUnavailable(cancelled)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }))).toBe(true);
  });
});
