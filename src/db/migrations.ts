import { sha256 } from "../hashing/sha256.js";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One migration folder as Prisma lays it out: `<name>/migration.sql`. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** SHA-256 hex of the file, the checksum Prisma records in `_prisma_migrations`. */
  checksum: string;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The migrations folder for a database kind, found from the project root (works from src/ and dist/). */
export function migrationsDir(kind: "sqlite" | "postgres"): string {
  return kind === "sqlite"
    ? path.join(projectRoot, "prisma", "migrations")
    : path.join(projectRoot, "prisma", "postgres", "migrations");
}

/** Reads every migration of a folder, oldest first. */
export function readMigrations(dir: string): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: sha256(sql, "hex") };
    });
}
