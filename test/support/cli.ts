import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { runProgram } from "../../src/cli/program.js";
import { BIN } from "./compiled-cli.js";
import { ROOT } from "./root.js";

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

/** Only the settings given here: no inherited .env, DATABASE_URL or other developer settings. */
function cliEnv(options: CliOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "test",
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: "info",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
    ARGON2_PARALLELISM: "1",
    ...options.env,
  };
}

/**
 * Runs `workspace-auth …` in this process through the program object, with the environment, stdin, stdout,
 * stderr and exit code of a real run swapped in for its duration (a Node start per command made the CLI
 * tests slow). Calls must not overlap. The JSON log lines are written straight to file descriptor 2 and so
 * are not in `stderr` here; what a real process prints is checked with {@link spawnCli}.
 */
export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const savedStdin = Object.getOwnPropertyDescriptor(process, "stdin");
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  let stdout = "";
  let stderr = "";
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, cliEnv(options));
  Object.defineProperty(process, "stdin", {
    value: Readable.from([Buffer.from(options.stdin ?? "")]),
    configurable: true,
  });
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof writeOut;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof writeErr;
  process.exitCode = undefined;
  try {
    await runProgram(args);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = savedExitCode;
    if (savedStdin) Object.defineProperty(process, "stdin", savedStdin);
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  }
}

/** For a test with a real CLI process: a Node start takes seconds, and far longer on a busy machine. */
export const SPAWN_TIMEOUT_MS = 180_000;

/**
 * Runs the real `workspace-auth …` (bin/workspace-auth.js; `buildDist` first) as a child process: for what only a
 * real process shows (its exit code, its log lines, library notices).
 */
export function spawnCli(args: string[], options: CliOptions): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: cliEnv(options),
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

/** Runs in-process with `--json`, expects the exit code, and returns the one JSON object printed. */
export async function cliJson(args: string[], options: CliOptions, expectedCode = 0) {
  const run = await runCli([...args, "--json"], options);
  if (run.code !== expectedCode) {
    throw new Error(`exit ${run.code}, expected ${expectedCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return onlyJson(run);
}
