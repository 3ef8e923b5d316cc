import fs from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { migrate } from "../../../src/db/migrate.js";
import { ForeignKeyViolationError, migrateSqlite } from "../../../src/db/migrate-sqlite.js";
import { migrationsDir } from "../../../src/db/migrations.js";
import { tempDir } from "../../support/app.js";
import { execSqlite, prismaCli, sqliteMigrationRows, sqliteTables } from "../../support/db-helpers.js";

const NOW = "2026-12-01T10:00:00.000+00:00";

/** One row in every table that hangs off a workspace, a user or an OAuth client, cascading children included. */
const POPULATE = `
INSERT INTO "User" (id, email, passwordHash, updatedAt) VALUES ('u1', 'ada@example.com', 'x', '${NOW}');
INSERT INTO "Workspace" (id, name) VALUES ('w1', 'Acme Mail');
INSERT INTO "Membership" (id, workspaceId, userId, role) VALUES ('m1', 'w1', 'u1', 'owner');
INSERT INTO "ApiKey" (id, workspaceId, name, createdById, access, digest, prefix) VALUES ('k1', 'w1', 'CRM', 'u1', 'read_write', 'd1', 'mrk_a');
INSERT INTO "Subscriber" (id, workspaceId, email, emailNormalized, updatedAt) VALUES ('s1', 'w1', 'a@b.example', 'a@b.example', '${NOW}');
INSERT INTO "Tag" (id, workspaceId, name, nameNormalized) VALUES ('t1', 'w1', 'VIP', 'vip');
INSERT INTO "SubscriberTag" (subscriberId, tagId) VALUES ('s1', 't1');
INSERT INTO "OAuthClient" (id, name, redirectUris, scopes) VALUES ('c1', 'App', '["https://app.example/cb"]', 'subscribers:read');
INSERT INTO "AuthorizedApp" (id, clientId, workspaceId, approvedById, scopes, activeKey) VALUES ('a1', 'c1', 'w1', 'u1', 'subscribers:read', 'c1:w1');
INSERT INTO "AuthorizedAppGrant" (grantId, authorizedAppId) VALUES ('g1', 'a1');
INSERT INTO "WebSession" (id, userId, expiresAt) VALUES ('ws1', 'u1', '${NOW}');
`;

async function rowCounts(file: string): Promise<Record<string, number>> {
  const client = createClient({ url: `file:${file}` });
  try {
    const counts: Record<string, number> = {};
    for (const name of await sqliteTables(client)) {
      const rs = await client.execute(`SELECT count(*) AS n FROM "${name}"`);
      counts[name] = Number(rs.rows[0].n);
    }
    return counts;
  } finally {
    client.close();
  }
}

/** A copy of the project's SQLite migrations plus one more, as a release adding a migration would ship. */
function migrationsWith(dir: string, name: string, sql: string): string {
  const copy = path.join(dir, "migrations");
  fs.cpSync(migrationsDir("sqlite"), copy, { recursive: true });
  fs.mkdirSync(path.join(copy, name));
  fs.writeFileSync(path.join(copy, name, "migration.sql"), sql);
  return copy;
}

describe("SQLite migrations that rebuild tables", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = tempDir("wa-rebuild-");
    file = path.join(dir, "app.db");
    await migrate(`file:${file}`);
    await execSqlite(file, POPULATE);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when a migration Prisma generated for column type changes rebuilds parent tables of a populated database, then no row is lost", async () => {
    // Two String columns become Json: Prisma rebuilds Workspace and OAuthClient (create, copy, drop, rename),
    // and dropping a parent with foreign keys on would cascade into every workspace's and app's rows.
    const schema = path.join(dir, "changed.prisma");
    fs.writeFileSync(
      schema,
      fs
        .readFileSync("prisma/schema.prisma", "utf8")
        .replace(/(model Workspace \{\s*id\s+String\s+@id @default\(cuid\(\)\)\s*name\s+)String/, "$1Json")
        .replace(/(redirectUris\s+)String/, "$1Json"),
    );
    const out = path.join(dir, "rebuild.sql");
    const diff = await prismaCli(
      ["migrate", "diff", "--from-schema-datamodel", "prisma/schema.prisma", "--to-schema-datamodel", schema, "--script", "--output", out],
      { DATABASE_URL: `file:${path.join(dir, "cli.db")}` },
    );
    expect(diff.code).toBe(0);
    const sql = fs.readFileSync(out, "utf8");
    expect(sql).toContain('DROP TABLE "Workspace"');
    expect(sql).toContain('DROP TABLE "OAuthClient"');
    const before = await rowCounts(file);

    const applied = await migrateSqlite(`file:${file}`, migrationsWith(dir, "20990101000000_json_columns", sql));

    expect(applied).toEqual(["20990101000000_json_columns"]);
    expect(await rowCounts(file)).toEqual(before);
    expect(Object.values(before).filter((n) => n > 0).length).toBeGreaterThanOrEqual(11);
  });

  test("when a migration leaves a row pointing at nothing, then foreign_key_check fails it and it is rolled back", async () => {
    const before = await rowCounts(file);
    const sql = `PRAGMA foreign_keys=OFF;\nINSERT INTO "Membership" (id, workspaceId, userId, role) VALUES ('m2', 'gone', 'u1', 'member');\n`;

    await expect(migrateSqlite(`file:${file}`, migrationsWith(dir, "20990101000000_orphan", sql))).rejects.toThrow(
      ForeignKeyViolationError,
    );

    expect(await rowCounts(file)).toEqual(before);
    expect((await sqliteMigrationRows(file)).map((r) => r.migration_name)).not.toContain("20990101000000_orphan");
  });

  test("when several migrations are pending and a later one fails, then the earlier ones stay applied and the failed one leaves nothing", async () => {
    const copy = migrationsWith(dir, "20990101000000_add_column", `ALTER TABLE "Tag" ADD COLUMN "color" TEXT;\n`);
    fs.mkdirSync(path.join(copy, "20990102000000_broken"));
    fs.writeFileSync(path.join(copy, "20990102000000_broken", "migration.sql"), `CREATE TABLE "Half" (id TEXT);\nSELECT nonsense FROM nowhere;\n`);

    await expect(migrateSqlite(`file:${file}`, copy)).rejects.toThrow(/no such table/);

    const names = (await sqliteMigrationRows(file)).map((r) => r.migration_name);
    expect(names).toContain("20990101000000_add_column");
    expect(names).not.toContain("20990102000000_broken");
    expect(Object.keys(await rowCounts(file))).not.toContain("Half");
  });
});
