import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
// The sources through tsx, so the tests never run a stale dist/ (the bin runs the same module compiled).
const MAIN = path.join(root, "src", "cli", "main.ts");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  databaseUrl: string;
  stdin?: string;
  env?: Record<string, string>;
}

/** Runs `workspace-auth …` as a child process with only the settings given here (no inherited .env or DATABASE_URL). */
export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: "info",
      ARGON2_MEMORY_KIB: "19456",
      ARGON2_ITERATIONS: "2",
      ARGON2_PARALLELISM: "1",
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Tests read fields of many result shapes; the assertions themselves check them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CliJson = Record<string, any>;

/** Parses stdout, failing unless it holds exactly one JSON object on one line and nothing else. */
export function onlyJson(run: CliRun): CliJson {
  const lines = run.stdout.split("\n").filter((l) => l !== "");
  if (lines.length !== 1) throw new Error(`expected one line of JSON on stdout, got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const value: unknown = JSON.parse(lines[0]);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${lines[0]}`);
  return value as CliJson;
}

/** Runs with `--json`, expects the exit code, and returns the one JSON object printed. */
export async function cliJson(args: string[], options: CliOptions, expectedCode = 0) {
  const run = await runCli([...args, "--json"], options);
  if (run.code !== expectedCode) {
    throw new Error(`exit ${run.code}, expected ${expectedCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return onlyJson(run);
}
