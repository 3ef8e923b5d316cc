import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./root.js";

/** How the tests start a server: the sources through tsx, so a stale dist/ is never what is tested. */
export const SERVER_COMMAND = [process.execPath, "--import", "tsx", path.join(ROOT, "src", "main.ts")];

/** The settings every test node gets; each test adds DATABASE_URL, ISSUER and its own. */
export const NODE_ENV_BASE: Record<string, string> = {
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  PORT: "0",
  LOG_LEVEL: "info",
  ARGON2_MEMORY_KIB: "19456",
  ARGON2_ITERATIONS: "2",
  ARGON2_PARALLELISM: "1",
};

/** A server process: its URL once listening, its log lines, and a graceful stop. */
export interface NodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logs: string[];
  stop(): Promise<number | null>;
}

/**
 * Starts `command` (the server) with only the given environment (nothing inherited but PATH and HOME) and
 * resolves once it logs that it listens, with the port it bound (PORT=0 picks a free one).
 */
export function startNode(name: string, env: Record<string, string>, command = SERVER_COMMAND, timeoutMs = 90_000): Promise<NodeProcess> {
  const [executable, ...args] = command;
  const child = spawn(executable, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...NODE_ENV_BASE, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  let buffered = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not listen within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\n${logs.join("\n")}`));
    };
    child.stderr.setEncoding("utf8").on("data", (d: string) => logs.push(...d.split("\n").filter(Boolean)));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buffered += d;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        const port = listeningPort(line);
        if (port === undefined) continue;
        clearTimeout(timer);
        resolve({
          name,
          url: `http://127.0.0.1:${port}`,
          child,
          logs,
          stop: () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    child.on("exit", (code) => fail(new Error(`${name} exited with ${code} before listening`)));
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === "workspace-auth listening" ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
