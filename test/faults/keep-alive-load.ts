import http from "node:http";

/** What the clients saw. */
export interface LoadResult {
  /** Responses read to the end. */
  completed: number;
  /** Of those, how many carried `Connection: close`. */
  closing: number;
  /** Connection refused: the request never reached the server (it no longer listens). */
  refused: number;
  /** Requests that were sent and then lost: reset, hung up, cut off mid-response. */
  aborted: string[];
}

/** Several clients, each on its own keep-alive connection, sending one request after another. */
export interface KeepAliveLoad {
  /** Completed responses so far. */
  readonly completed: number;
  /** Stops sending and resolves once every client's last request has ended. */
  stop(): Promise<LoadResult>;
}

/** One GET, read to the end; rejects with the client's error. */
function get(url: string, agent: http.Agent, headers: Record<string, string>): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("response aborted")));
      res.on("end", () => (res.complete ? resolve(res) : reject(new Error("response cut short"))));
      res.resume();
    });
    req.on("error", reject);
  });
}

/** Starts `clients` keep-alive clients cycling through `paths` on `baseUrl` until stop(). */
export function startKeepAliveLoad(baseUrl: string, paths: { path: string; headers?: Record<string, string> }[], clients = 8): KeepAliveLoad {
  const result: LoadResult = { completed: 0, closing: 0, refused: 0, aborted: [] };
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = i; running; n++) {
      const { path, headers = {} } = paths[n % paths.length];
      try {
        const res = await get(`${baseUrl}${path}`, agent, headers);
        result.completed++;
        if (res.headers.connection === "close") result.closing++;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ECONNREFUSED") {
          result.refused++;
          await new Promise((r) => setTimeout(r, 20));
        } else {
          result.aborted.push(`${code ?? ""} ${(err as Error).message}`);
        }
      }
    }
    agent.destroy();
  });
  return {
    get completed() {
      return result.completed;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
