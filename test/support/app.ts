import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Server } from "node:http";
import type express from "express";
import { createApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type AppContext, buildContext } from "../../src/context.js";
import { createLogger } from "../../src/logger.js";
import { checkResponsesAgainstContract } from "./contract.js";
import { createTestDatabase } from "./database.js";

/** Every log line the app wrote, as text, so tests can assert that no secret reached them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

export interface TestApp {
  app: express.Express;
  ctx: AppContext;
  config: Config;
  logs: LogCapture;
  dir: string;
  close(): Promise<void>;
}

/** A fresh temp folder; removed by the caller's close(). */
export function tempDir(prefix = "wa-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The whole application on a fresh database, migrated, with the OWASP-minimum Argon2 cost: a SQLite file in
 * a temp folder, or, when TEST_DATABASE_URL is set (CI's PostgreSQL run), a new PostgreSQL database dropped
 * by close(). `env` overrides any setting, DATABASE_URL included.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = tempDir();
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase(dir);
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    ISSUER: "http://127.0.0.1:3000",
    LOG_LEVEL: "info",
    ARGON2_MEMORY_KIB: "19456",
    ARGON2_ITERATIONS: "2",
    ARGON2_PARALLELISM: "1",
    CACHE_POLL_INTERVAL_MS: "100",
    ...env,
  });
  const logs = new LogCapture();
  const logger = createLogger(config.logLevel, logs);
  const ctx = await buildContext(config, { logger, migrate: true, background: true }).catch(async (err: unknown) => {
    await database.drop();
    throw err;
  });
  const app = createApp(ctx);
  checkResponsesAgainstContract(app);
  return {
    app,
    ctx,
    config,
    logs,
    dir,
    async close() {
      await ctx.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a real HTTP server on 127.0.0.1 with an ephemeral port. */
export async function listen(app: express.Express): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestServer extends TestApp {
  /** The server's own URL, which is also its ISSUER. */
  url: string;
  server: Server;
}

/**
 * The whole application behind a real HTTP server on 127.0.0.1 whose ISSUER is its own URL: the port is bound
 * first, then the app is built with that issuer (OAuth needs them equal). `env` overrides any setting.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ ISSUER: url, ...env }).catch((err: unknown) => {
    server.close();
    throw err;
  });
  server.on("request", t.app);
  return {
    ...t,
    url,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
