import { Registry } from "prom-client";
import { TallyCounter } from "../../src/metrics/tally-counter.js";

function counter() {
  const registry = new Registry();
  const requests = new TallyCounter({ name: "requests_total", help: "Requests.", labelNames: ["route", "status"] as const, registers: [registry] });
  return { registry, requests };
}

const valueOf = async (c: TallyCounter<"route" | "status">, route: string) =>
  (await c.get()).values.find((v) => v.labels.route === route)?.value;

describe("TallyCounter (counts kept per label set, handed to prom-client when collected)", () => {
  test("when a label set is counted several times, then a read reports exactly that many", async () => {
    const { requests } = counter();
    const ok = { route: "/v1/workspace", status: "200" };
    for (let i = 0; i < 5; i++) requests.count(ok);
    expect(await valueOf(requests, "/v1/workspace")).toBe(5);
  });

  test("when counting goes on after a read, then the next read adds to it and never counts twice", async () => {
    const { requests } = counter();
    const ok = { route: "/health", status: "200" };
    requests.count(ok);
    expect(await valueOf(requests, "/health")).toBe(1);
    expect(await valueOf(requests, "/health")).toBe(1);
    requests.count(ok);
    requests.count(ok);
    expect(await valueOf(requests, "/health")).toBe(3);
  });

  test("when the registry is scraped, then the exposition carries the tallies of every label set", async () => {
    const { registry, requests } = counter();
    const ok = { route: "/v1/subscribers", status: "200" };
    const denied = { route: "/v1/subscribers", status: "401" };
    requests.count(ok);
    requests.count(denied);
    requests.count(ok);
    const text = await registry.metrics();
    expect(text).toContain('requests_total{route="/v1/subscribers",status="200"} 2');
    expect(text).toContain('requests_total{route="/v1/subscribers",status="401"} 1');
  });

  test("when prom-client's own inc is used beside count, then both reach the same series", async () => {
    const { requests } = counter();
    const ok = { route: "/ready", status: "200" };
    requests.count(ok);
    requests.inc({ route: "/ready", status: "200" }, 2);
    expect(await valueOf(requests, "/ready")).toBe(3);
  });

  test("when the counter is reset, then what was tallied before is gone too, and counting starts again from zero", async () => {
    const { registry, requests } = counter();
    const ok = { route: "/v1/tags", status: "200" };
    requests.count(ok);
    requests.count(ok);
    registry.resetMetrics();
    expect(await valueOf(requests, "/v1/tags")).toBeUndefined();
    requests.count(ok);
    expect(await valueOf(requests, "/v1/tags")).toBe(1);
  });
});
