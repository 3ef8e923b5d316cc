import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { commandGroups } from "./commands/index.js";
import { Output } from "./output.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Exit codes: 0 done, 1 the command failed, 2 bad usage. */
const USAGE = 2;

/** The `workspace-auth` admin command line. Subcommands inherit the output and exit settings set here. */
export function buildProgram(output: Output): Command {
  const program = new Command("workspace-auth")
    .description("Administer workspace-auth: users, workspaces, members, API keys and the database.")
    .version(version)
    .option("--json", "print exactly one JSON object on stdout (the result or { error: { code, message } })")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      // With --json the error becomes the JSON object on stdout instead.
      outputError: (message, write) => {
        if (!output.json) write(message);
      },
    });
  for (const group of commandGroups) group(program);
  return program;
}

/** Commander's own failures (unknown option, missing value, bad choice, no command) are bad usage. */
function usageFailure(output: Output, err: CommanderError): number {
  if (err.exitCode === 0) return 0;
  const message =
    err.code === "commander.help" ? "a command is required; see --help" : err.message.replace(/^error: /, "");
  if (output.json || err.code === "commander.help") output.failure({ code: "usage_error", message });
  return USAGE;
}

/** Runs the command line on `argv` (without node and script); the exit code is left in process.exitCode. */
export async function runProgram(argv: string[]): Promise<void> {
  // Known before parsing, so that a usage error is reported in the requested format too.
  const output = new Output(argv.includes("--json"));
  try {
    await buildProgram(output).parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = usageFailure(output, err);
      return;
    }
    output.failure({ code: "internal_error", message: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
  }
}
