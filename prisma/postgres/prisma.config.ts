import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The CLI for the PostgreSQL schema: `npx prisma <command> --config prisma/postgres/prisma.config.ts`.
// Without a PostgreSQL URL to resolve env("DATABASE_URL") the CLI falls back to downloading engines (offline: fails);
// generate and migrate diff never connect, so a placeholder is enough for them.
if (!/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "")) {
  process.env.DATABASE_URL = "postgresql://placeholder@127.0.0.1:5432/workspace_auth";
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(path.dirname(fileURLToPath(import.meta.url)), "schema.prisma"),
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});
