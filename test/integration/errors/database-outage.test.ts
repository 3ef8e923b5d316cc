import fs from "node:fs";
import path from "node:path";
import express from "express";
import pg from "pg";
import request from "supertest";
import { createDb } from "../../../src/db/client.js";
import { isDatabaseUnavailable } from "../../../src/db/database-unavailable.js";
import { renderErrors } from "../../../src/errors/render.js";
import { freePort } from "../../support/postgres-cluster.js";
import { tempDir } from "../../support/app.js";
import { ROOT } from "../../support/root.js";

const VIEWS = path.join(ROOT, "views");

/** What the drivers really throw when nothing listens on the database's port. */
async function refusedErrors(): Promise<{ pgError: unknown; prismaError: unknown }> {
  const port = await freePort();
  const url = `postgres://nobody:secret@127.0.0.1:${port}/nothing`;
  const client = new pg.Client({ connectionString: url });
  const pgError = await client.connect().then(
    () => undefined,
    (err: unknown) => err,
  );
  const prismaError = await createDb(url).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { pgError, prismaError };
}

/** A SQLite unique violation as Prisma reports it: a real database error that is not an outage. */
async function uniqueViolation(): Promise<unknown> {
  const dir = tempDir();
  const db = await createDb(`file:${path.join(dir, "t.db")}`);
  try {
    await db.$executeRawUnsafe("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    await db.$executeRawUnsafe("INSERT INTO t VALUES (1)");
    return await db.$executeRawUnsafe("INSERT INTO t VALUES (1)").then(
      () => undefined,
      (err: unknown) => err,
    );
  } finally {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("telling a database outage from other errors", () => {
  test("when PostgreSQL refuses the connection, then pg's error and Prisma's are both an outage", async () => {
    const { pgError, prismaError } = await refusedErrors();
    expect(pgError).toBeDefined();
    expect(prismaError).toBeDefined();
    expect(isDatabaseUnavailable(pgError)).toBe(true);
    expect(isDatabaseUnavailable(prismaError)).toBe(true);
  });

  test("when the error is a constraint violation, a syntax error or a bug, then it is not an outage", async () => {
    expect(isDatabaseUnavailable(await uniqueViolation())).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe("rendering a database outage", () => {
  let outage: unknown;
  const app = express();
  app.set("view engine", "ejs");
  app.set("views", VIEWS);
  app.get(["/v1/things", "/api/things", "/settings/things"], () => {
    throw outage;
  });
  app.get("/v1/bug", () => {
    throw new TypeError("a bug");
  });
  app.use(renderErrors);

  beforeAll(async () => {
    outage = (await refusedErrors()).prismaError;
  });

  test("when a /v1 or /api request meets an outage, then 503 service_unavailable in the envelope with Retry-After", async () => {
    for (const url of ["/v1/things", "/api/things"]) {
      const res = await request(app).get(url).expect(503);
      expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(res.body).toEqual({ error: { type: "api_error", code: "service_unavailable", message: expect.any(String) } });
    }
  });

  test("when a page request meets an outage, then a 503 HTML page saying so, with Retry-After", async () => {
    const res = await request(app).get("/settings/things").set("Accept", "text/html").expect(503);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(res.text).toContain("Temporarily unavailable");
  });

  test("when a request meets a bug instead, then 500 internal_error without Retry-After", async () => {
    const res = await request(app).get("/v1/bug").expect(500);
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.body.error.code).toBe("internal_error");
  });
});
