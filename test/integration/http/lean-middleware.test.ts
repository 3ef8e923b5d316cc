import express from "express";
import helmet from "helmet";
import request from "supertest";
import { requestLogging } from "../../../src/http/request-logging.js";
import { securityHeaders } from "../../../src/http/security-headers.js";
import { createLogger } from "../../../src/logger.js";
import { LogCapture } from "../../support/app.js";

/** A small app with our request logger in front of a few routes, logging into a capture at `level`. */
function loggedApp(level: string) {
  const logs = new LogCapture();
  const app = express();
  app.use(requestLogging(createLogger(level, logs)));
  app.get("/ok", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/broken", (_req, res) => {
    res.status(503).json({ error: "down" });
  });
  app.get("/handler-logs", (req, res) => {
    req.log.warn({ detail: "from a handler" }, "handler line");
    res.json({ ok: true });
  });
  return { app, logs, lines: () => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("the request logger", () => {
  test("when a request completes, then one line carries exactly pino-http's fields and never the query string", async () => {
    const { app, lines } = loggedApp("info");
    await request(app).get("/ok?token=secret-in-query").set("x-request-id", "req-1").expect(200);
    const [line] = lines();
    expect(Object.keys(line)).toEqual(["level", "time", "request_id", "req", "res", "responseTime", "msg"]);
    expect(line).toMatchObject({
      level: 30,
      request_id: "req-1",
      req: { id: "req-1", method: "GET", path: "/ok" },
      res: { status: 200 },
      msg: "request completed",
    });
    expect(JSON.stringify(line)).not.toContain("secret-in-query");
  });

  test("when a response is a 5xx, then its line is written at error level as 'request errored'", async () => {
    const { app, lines } = loggedApp("info");
    await request(app).get("/broken").set("x-request-id", "req-2").expect(503);
    expect(lines()[0]).toMatchObject({
      level: 50,
      request_id: "req-2",
      res: { status: 503 },
      err: { message: "failed with status code 503" },
      msg: "request errored",
    });
  });

  test("when the level drops request lines (warn), then none is written, while a handler's warning still carries the request id", async () => {
    const { app, lines } = loggedApp("warn");
    await request(app).get("/ok").expect(200);
    expect(lines()).toEqual([]);
    await request(app).get("/handler-logs").set("x-request-id", "req-3").expect(200);
    expect(lines()).toEqual([expect.objectContaining({ level: 40, request_id: "req-3", detail: "from a handler", msg: "handler line" })]);
  });

  test("when a handler logs a secret-named field through req.log, then it is still redacted", async () => {
    const logs = new LogCapture();
    const app = express();
    app.use(requestLogging(createLogger("info", logs)));
    app.get("/leaky", (req, res) => {
      req.log.info({ body: { password: "hunter2", token: "tok-secret" } }, "handler line");
      res.json({});
    });
    await request(app).get("/leaky").expect(200);
    expect(logs.text).not.toContain("hunter2");
    expect(logs.text).not.toContain("tok-secret");
    expect(logs.text).toContain("[redacted]");
  });
});

describe("the security headers", () => {
  /** Every response header except those that vary per response. */
  const fixedHeaders = (headers: Record<string, string>) => {
    const copy = { ...headers };
    for (const name of ["date", "etag", "content-length", "connection", "keep-alive"]) delete copy[name];
    return copy;
  };

  test("when a response is served, then it carries exactly the headers helmet() sets, with the same values", async () => {
    const ours = express().use(securityHeaders()).get("/", (_req, res) => void res.json({}));
    const reference = express().use(helmet()).get("/", (_req, res) => void res.json({}));
    const mine = await request(ours).get("/").expect(200);
    const theirs = await request(reference).get("/").expect(200);
    expect(fixedHeaders(mine.headers)).toEqual(fixedHeaders(theirs.headers));
    expect(mine.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(mine.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  });
});
