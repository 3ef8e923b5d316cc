import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { inOrder } from "../../src/http/in-order.js";

/** Runs the composed middleware once and returns what reached `next` and which steps ran. */
function run(...steps: (RequestHandler | ErrorRequestHandler)[]): Promise<{ err: unknown }> {
  return new Promise((resolve) => inOrder(...steps)({} as Request, {} as Response, ((err?: unknown) => resolve({ err })) as NextFunction));
}

describe("inOrder (the /v1 guards as one middleware)", () => {
  test("when every step passes, then they run in order and the request goes on without an error", async () => {
    const seen: string[] = [];
    const step = (name: string): RequestHandler => (_req, _res, next) => (seen.push(name), next());
    const handler: ErrorRequestHandler = (err, _req, _res, next) => (seen.push("error handler"), next(err));
    expect(await run(step("a"), handler, step("b"))).toEqual({ err: undefined });
    expect(seen).toEqual(["a", "b"]);
  });

  test("when a step fails, then the next steps are skipped up to the next error handler, whose answer goes on", async () => {
    const seen: string[] = [];
    const failing: RequestHandler = (_req, _res, next) => next(new Error("first"));
    const skipped: RequestHandler = (_req, _res, next) => (seen.push("skipped"), next());
    const replace: ErrorRequestHandler = (err: Error, _req, _res, next) => (seen.push(`handled ${err.message}`), next(new Error("second")));
    const after: RequestHandler = (_req, _res, next) => (seen.push("after"), next());
    const { err } = await run(failing, skipped, replace, after);
    expect((err as Error).message).toBe("second");
    expect(seen).toEqual(["handled first"]);
  });

  test("when a step throws or returns a rejected promise, then that is its error", async () => {
    const thrown = await run(() => {
      throw new Error("thrown");
    });
    expect((thrown.err as Error).message).toBe("thrown");
    const rejected = await run(async () => Promise.reject(new Error("rejected")));
    expect((rejected.err as Error).message).toBe("rejected");
  });
});
