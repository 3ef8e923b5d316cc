import http from "node:http";
import type { AddressInfo } from "node:net";

/** A test load balancer: one public URL (the shared ISSUER) in front of several nodes; the test picks the node. */
export interface LoadBalancer {
  url: string;
  /** Where the next requests go. */
  target: string;
  /** How many requests each node got. */
  served: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A plain HTTP reverse proxy on 127.0.0.1, as nginx would be: it keeps the request's Host (the public one),
 * passes method, path, headers and body through, and never follows redirects.
 */
export async function startLoadBalancer(initialTarget: string): Promise<LoadBalancer> {
  const served = new Map<string, number>();
  const balancer: LoadBalancer = { url: "", target: initialTarget, served, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const target = new URL(balancer.target);
    served.set(balancer.target, (served.get(balancer.target) ?? 0) + 1);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  balancer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  balancer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return balancer;
}
