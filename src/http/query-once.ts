import express, { type Express, type Request } from "express";

const PARSED = Symbol("parsedQuery");

interface QueriedRequest extends Request {
  [PARSED]?: { text: string; value: unknown };
}

/**
 * Makes `req.query` parse the query string once per request. Express 5 parses it again at every read, and a /v1
 * request reads it at least twice: in the input guard and in its route. The parsed value is kept with the query
 * string it came from, so a rewritten URL is parsed afresh.
 */
export function parseQueryOnce(app: Express): void {
  const express5 = Object.getOwnPropertyDescriptor(express.request, "query");
  if (!express5 || !("get" in express5)) throw new Error("express.request has no query getter to wrap");
  Object.defineProperty(app.request, "query", {
    configurable: true,
    enumerable: true,
    get(this: QueriedRequest): unknown {
      const at = this.url.indexOf("?");
      const text = at === -1 ? "" : this.url.slice(at + 1);
      const parsed = this[PARSED];
      if (parsed?.text === text) return parsed.value;
      // Express's own getter, run for this request.
      const value: unknown = Reflect.get(express.request, "query", this);
      this[PARSED] = { text, value };
      return value;
    },
  });
}
