import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's PostgreSQL 15 binaries (what scripts/ci-postgres.sh and CI use). */
export const POSTGRES_BIN = process.env.CI_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/** Whether a throwaway cluster can be started here; fault tests skip when it cannot. */
export const hasPostgresBinaries = fs.existsSync(path.join(POSTGRES_BIN, "initdb"));

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: when we are root, the cluster belongs to the `postgres` user. */
function asOwner(command: string, args: string[]) {
  return isRoot ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args);
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL server of its own for one test file, which the test may stop and start again. */
export interface PostgresCluster {
  port: number;
  /** The superuser URL over TCP (127.0.0.1). */
  adminUrl: string;
  start(): Promise<void>;
  /** `fast`: disconnects every client and stops (what an operator's restart does). */
  stop(): Promise<void>;
  /** Stops the server and removes its data folder. */
  destroy(): Promise<void>;
}

/**
 * initdb + pg_ctl start in a fresh temp folder, the same commands as scripts/ci-postgres.sh: password auth
 * over TCP, the Unix socket inside the private folder, durability off (the cluster is thrown away).
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-pgc-"));
  const password = crypto.randomBytes(16).toString("hex");
  fs.writeFileSync(path.join(dir, "pwfile"), `${password}\n`, { mode: 0o600 });
  fs.chmodSync(dir, 0o700);
  if (isRoot) await run("chown", ["-R", "postgres:", dir]);
  const data = path.join(dir, "data");
  await asOwner(path.join(POSTGRES_BIN, "initdb"), [
    "-D", data, "-U", "postgres", `--pwfile=${path.join(dir, "pwfile")}`,
    "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8",
  ]);
  fs.rmSync(path.join(dir, "pwfile"));
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const pgCtl = path.join(POSTGRES_BIN, "pg_ctl");
  const cluster: PostgresCluster = {
    port,
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    start: async () => {
      await asOwner(pgCtl, ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
    },
    stop: async () => {
      await asOwner(pgCtl, ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
    },
    destroy: async () => {
      await cluster.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
