import { MAX_PREPARED_TEXTS, prepareOnPostgres, preparedName } from "../../src/db/prepared-statements.js";

describe("which statement texts are kept prepared on PostgreSQL", () => {
  test("when a text is registered, then it gets one name, the same on every call, and a different text another", () => {
    const text = `SELECT "id" FROM "Tag" WHERE "workspaceId" = $1`;
    prepareOnPostgres(text);
    const name = preparedName(text);
    expect(name).toMatch(/^wa_[0-9a-f]{32}$/);
    prepareOnPostgres(text);
    expect(preparedName(text)).toBe(name);
    const other = `SELECT "id" FROM "Tag" WHERE "workspaceId" = $1 LIMIT $2`;
    prepareOnPostgres(other);
    expect(preparedName(other)).not.toBe(name);
  });

  test("when a text selects or returns every column, then it is not prepared (a migration adding a column would break it)", () => {
    for (const text of [`SELECT * FROM "Tag"`, `select t.* from "Tag" t`, `SELECT DISTINCT "t".* FROM "Tag" "t"`, `UPDATE "Tag" SET "name" = $1 RETURNING *`]) {
      prepareOnPostgres(text);
      expect(preparedName(text)).toBeUndefined();
    }
    const counted = `SELECT count(*) FROM "Tag" WHERE "workspaceId" = $1`;
    prepareOnPostgres(counted);
    expect(preparedName(counted)).toBeDefined();
  });

  test("when more distinct texts arrive than the cap, then the ones past it are not prepared and the earlier ones keep their names", () => {
    const first = `SELECT "id" FROM "Subscriber" WHERE "id" = $1`;
    prepareOnPostgres(first);
    const name = preparedName(first);
    for (let i = 0; i < MAX_PREPARED_TEXTS + 10; i++) prepareOnPostgres(`SELECT "id" FROM "Subscriber" WHERE "id" IN (${"$1, ".repeat(i)}$1)`);
    expect(preparedName(`SELECT "id" FROM "Subscriber" WHERE "id" IN (${"$1, ".repeat(MAX_PREPARED_TEXTS + 9)}$1)`)).toBeUndefined();
    expect(preparedName(first)).toBe(name);
  });
});
