import type { Command } from "commander";
import { migrate } from "../../db/migrate.js";
import { withConfig } from "../run-command.js";

/** `db migrate`: applies pending migrations (other commands also do this before they run). */
export function dbCommands(program: Command): void {
  const db = program.command("db").description("manage the database");

  db.command("migrate")
    .description("apply pending migrations to DATABASE_URL")
    .action(
      withConfig(
        async (config) => ({ applied: await migrate(config.databaseUrl) }),
        ({ applied }) =>
          applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.",
      ),
    );
}
