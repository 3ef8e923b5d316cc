import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/**
 * A real webhook receiver on 127.0.0.1 (node:http), as a customer would run. By path: `/slow…` never answers,
 * `/redirect…` answers 302 to `/after-redirect`, `/fail…` answers 500, anything else 204.
 */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  readonly #waiters: (() => void)[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(port = 0): Promise<WebhookReceiver> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    server.on("request", (req, res) => receiver.#handle(req, res));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      this.requests.push({ path: req.url ?? "", headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      for (const wake of this.#waiters.splice(0)) wake();
      const path = req.url ?? "";
      if (path.startsWith("/slow")) return;
      if (path.startsWith("/redirect")) return void res.writeHead(302, { location: "/after-redirect" }).end();
      res.writeHead(path.startsWith("/fail") ? 500 : 204).end();
    });
  }

  /** The requests to a path (exact, query included). */
  to(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Waits until `count` requests reached `path`. */
  async waitFor(path: string, count = 1, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(path).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the receiver got ${this.to(path).length} of ${count} requests to ${path}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.to(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
