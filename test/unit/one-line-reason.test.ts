import { oneLineReason } from "../../src/errors/one-line-reason.js";

describe("oneLineReason", () => {
  test("when an error has a multi-line message and a code, then only its first line and the code remain", () => {
    const err = Object.assign(new Error("\nfile is not a database\n    more detail"), { code: "SQLITE_NOTADB" });
    expect(oneLineReason(err)).toBe("file is not a database (SQLITE_NOTADB)");
  });

  test("when a connection to several addresses fails, then the first address's error is given", () => {
    const err = new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })], "");
    expect(oneLineReason(err)).toBe("connect ECONNREFUSED ::1:5432");
  });

  test("when the message holds a URL with a password, then the password is masked; a URL without one is kept", () => {
    expect(oneLineReason(new Error("cannot reach postgres://app:s3cret@db:5432/x"))).toBe("cannot reach postgres://app:***@db:5432/x");
    expect(oneLineReason(new Error("cannot reach postgres://db:5432/x"))).toBe("cannot reach postgres://db:5432/x");
  });
});
