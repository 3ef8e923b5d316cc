import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

// The CLI runs engine-free (WebAssembly schema engine + libSQL driver adapter), so it works offline.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    return new PrismaLibSQL({ url: process.env.DATABASE_URL ?? "file:./data/app.db" });
  },
});
