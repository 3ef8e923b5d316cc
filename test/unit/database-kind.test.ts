import { databaseKind } from "../../src/db/client.js";

describe("which database a DATABASE_URL names", () => {
  test("when the URL starts with postgres:// or postgresql://, then it is PostgreSQL", () => {
    expect(databaseKind("postgres://u:p@127.0.0.1:5432/db")).toBe("postgres");
    expect(databaseKind("postgresql://u:p@127.0.0.1:5432/db")).toBe("postgres");
  });

  test("when the URL is a file: URL, then it is SQLite", () => {
    expect(databaseKind("file:./data/app.db")).toBe("sqlite");
  });
});
