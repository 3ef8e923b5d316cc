import { execFile } from "node:child_process";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import express from "express";
import { createHttpServer } from "../../../src/http/http-server.js";
import { messageClassesFor } from "../../../src/http/message-classes.js";
import { parseQueryOnce } from "../../../src/http/query-once.js";
import { ROOT } from "../../support/root.js";

const run = promisify(execFile);

describe("requests and responses built with the app's API as their prototype", () => {
  test("when a request reaches the server, then it already has the app's request API, and Express's API works on it", async () => {
    const app = express();
    parseQueryOnce(app);
    app.get("/api", (req, res) => {
      res.json({ host: req.get("host")?.startsWith("127.0.0.1:"), query: req.query, app: req.app === app, path: req.path });
    });
    const server = createHttpServer(app, { keepAliveTimeoutMs: 5_000 });
    // Heard before the app's own listener: the objects as Node built them, before Express touched them.
    const arrived: { request: boolean; response: boolean }[] = [];
    server.prependListener("request", (req: IncomingMessage, res) => {
      arrived.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api?a=1`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ host: true, query: { a: "1" }, app: true, path: "/api" });
      expect(arrived).toEqual([{ request: true, response: true }]);
    } finally {
      server.close();
    }
  });

  test("when the classes are asked for twice, then the app gets them once (its prototypes are not wrapped again)", () => {
    const app = express();
    const express5Request = app.request;
    const first = messageClassesFor(app);
    expect(messageClassesFor(app)).toBe(first);
    // One level between the app's request prototype and Express's own, however often it is asked.
    expect(app.request).toBe(first.IncomingMessage.prototype);
    expect(Object.getPrototypeOf(app.request)).toBe(express5Request);
  });

  test("when two requests are served, then after Express and a middleware have added their properties both still share one V8 hidden class", async () => {
    // A hidden class of its own per request (what Express's prototype swap gives) makes every property access on
    // req and res miss V8's caches. The probe holds two requests at the same point and asks V8 (%HaveSameMap).
    const probe = path.join(ROOT, "test", "support", "hidden-class-probe.ts");
    const { stdout } = await run(process.execPath, ["--allow-natives-syntax", "--import", "tsx", probe], { cwd: ROOT, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ request: true, response: true });
  }, 70_000);
});
