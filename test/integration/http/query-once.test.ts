import express from "express";
import request from "supertest";
import { parseQueryOnce } from "../../../src/http/query-once.js";

/** An app whose query parser counts its calls, with routes that read req.query twice. */
function countingApp() {
  const app = express();
  let parses = 0;
  app.set("query parser", (text: string) => {
    parses++;
    return Object.fromEntries(new URLSearchParams(text));
  });
  parseQueryOnce(app);
  app.use((req, _res, next) => {
    void req.query;
    next();
  });
  app.get("/twice", (req, res) => {
    res.json({ first: req.query, second: req.query, same: req.query === req.query });
  });
  app.get("/rewritten", (req, res) => {
    const before = req.query;
    req.url = "/rewritten?b=2";
    res.json({ before, after: req.query });
  });
  return { app, parses: () => parses };
}

describe("req.query parsed once per request", () => {
  test("when a middleware and the route read req.query, then the query string is parsed once and both see the same value", async () => {
    const { app, parses } = countingApp();
    const res = await request(app).get("/twice?limit=20&cursor=abc").expect(200);
    expect(res.body).toEqual({ first: { limit: "20", cursor: "abc" }, second: { limit: "20", cursor: "abc" }, same: true });
    expect(parses()).toBe(1);
  });

  test("when two requests carry different query strings, then each gets its own", async () => {
    const { app, parses } = countingApp();
    expect((await request(app).get("/twice?a=1").expect(200)).body.first).toEqual({ a: "1" });
    expect((await request(app).get("/twice?a=2").expect(200)).body.first).toEqual({ a: "2" });
    expect(parses()).toBe(2);
  });

  test("when the URL's query string changes during the request, then req.query follows it", async () => {
    const { app } = countingApp();
    const res = await request(app).get("/rewritten?a=1").expect(200);
    expect(res.body).toEqual({ before: { a: "1" }, after: { b: "2" } });
  });
});
