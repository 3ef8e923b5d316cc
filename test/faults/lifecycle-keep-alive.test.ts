import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { tempDir } from "../support/app.js";
import { startNode } from "../support/node-process.js";

/** A raw HTTP/1.1 connection: send a request, read one response, see when the server closes it. */
class RawConnection {
  private readonly socket: net.Socket;
  private buffer = "";
  closedAt?: number;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.socket.setEncoding("utf8").on("data", (d: string) => (this.buffer += d));
    this.socket.on("close", () => (this.closedAt = Date.now()));
  }

  /** Sends GET `path` and resolves with the response head once the whole response has arrived. */
  async get(path: string): Promise<string> {
    this.buffer = "";
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    for (let i = 0; i < 200; i++) {
      const end = this.buffer.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(this.buffer);
      if (end >= 0 && length && this.buffer.length >= end + 4 + Number(length[1])) return this.buffer.slice(0, end);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no complete response: ${this.buffer}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe("keep-alive timeouts", () => {
  let dir: string;
  beforeEach(() => (dir = tempDir("wa-keepalive-")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when nothing is configured, then an idle kept-alive connection outlives Node's 5 s default and the server announces 65 s", async () => {
    const node = await startNode("keep-alive default", { DATABASE_URL: `file:${path.join(dir, "app.db")}` });
    const conn = new RawConnection(node.url);
    try {
      expect(await conn.get("/health")).toMatch(/^keep-alive: timeout=65$/im);
      await new Promise((r) => setTimeout(r, 6_500));
      expect(conn.closedAt).toBeUndefined();
      expect(await conn.get("/health")).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      conn.close();
      expect(await node.stop()).toBe(0);
    }
  });

  test("when KEEP_ALIVE_TIMEOUT_MS is 1500, then the server closes an idle connection after about 1.5 s, not before", async () => {
    const node = await startNode("keep-alive 1.5 s", { DATABASE_URL: `file:${path.join(dir, "app.db")}`, KEEP_ALIVE_TIMEOUT_MS: "1500" });
    const conn = new RawConnection(node.url);
    try {
      expect(await conn.get("/health")).toMatch(/^keep-alive: timeout=1$/im);
      const idleFrom = Date.now();
      await new Promise((r) => setTimeout(r, 1_000));
      expect(conn.closedAt).toBeUndefined();
      await new Promise((r) => setTimeout(r, 2_000));
      expect(conn.closedAt).toBeDefined();
      const idleMs = (conn.closedAt ?? 0) - idleFrom;
      console.log(`[figure] KEEP_ALIVE_TIMEOUT_MS=1500: idle connection closed by the server after ${idleMs} ms`);
      expect(idleMs).toBeGreaterThanOrEqual(1_400);
    } finally {
      conn.close();
      expect(await node.stop()).toBe(0);
    }
  });
});
