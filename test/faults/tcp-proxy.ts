import net from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that can drop the path silently, the way a dead network or a firewall
 * does: while blackholed it accepts connections but never forwards them, and stops reading on the
 * connections it was forwarding (bytes wait in the kernel, so nobody gets an error or a reset). `heal()`
 * lets everything through again, late bytes included, as TCP retransmission would; connections whose
 * client gave up meanwhile are dropped.
 */
export class BlackholeProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  private held: { client: net.Socket; connect(): void }[] = [];
  private blackholed = false;
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = "127.0.0.1",
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Drops the path: new connections hang, existing ones go silent. */
  blackhole(): void {
    this.blackholed = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream?.pause();
    }
  }

  heal(): void {
    this.blackholed = false;
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream?.resume();
    }
    const held = this.held;
    this.held = [];
    for (const h of held) h.connect();
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    for (const { client } of this.held) client.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    this.pairs.add(pair);
    client.pause();
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on("error", forget).on("close", forget);
    // A connection opened during the cut is read (so that its client giving up is noticed, as a SYN
    // retransmission stops) and connected on heal only if its client still waits.
    const early: Buffer[] = [];
    const hold = (chunk: Buffer) => early.push(chunk);
    const connect = () => {
      if (client.destroyed || client.readableEnded) return forget();
      client.off("data", hold);
      client.pause();
      const upstream = net.connect(this.targetPort, this.targetHost);
      pair.upstream = upstream;
      upstream.on("error", forget).on("close", forget);
      for (const chunk of early) upstream.write(chunk);
      upstream.pipe(client);
      client.pipe(upstream);
      if (this.blackholed) upstream.pause();
      else client.resume();
    };
    if (this.blackholed) {
      client.on("data", hold).on("end", forget);
      client.resume();
      this.held.push({ client, connect });
    } else {
      connect();
    }
  }
}
