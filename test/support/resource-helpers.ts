import request from "supertest";
import type { Response } from "supertest";
import type { TestApp } from "./app.js";
import { makeKey, makeWorkspace } from "./fixtures.js";

/** Two workspaces, each with a read_write and a read_only key. */
export async function twoWorkspaces(t: TestApp) {
  const make = async () => {
    const workspace = await makeWorkspace(t.ctx);
    const rw = await makeKey(t.ctx, workspace.id, "read_write");
    const ro = await makeKey(t.ctx, workspace.id, "read_only");
    return { workspace, rw: rw.key, ro: ro.key };
  };
  return { a: await make(), b: await make() };
}

/** A supertest agent for `key`: `api(key).get("/v1/…")` carries the bearer header. */
export function api(t: TestApp, key: string) {
  const auth = { Authorization: `Bearer ${key}` };
  return {
    get: (path: string) => request(t.app).get(path).set(auth),
    post: (path: string, body?: unknown) => request(t.app).post(path).set(auth).send(body as object),
    patch: (path: string, body?: unknown) => request(t.app).patch(path).set(auth).send(body as object),
    delete: (path: string) => request(t.app).delete(path).set(auth),
    /** Sends `raw` verbatim with the given content type (for malformed bodies). */
    raw: (method: "post" | "patch", path: string, raw: string, type = "application/json") =>
      request(t.app)[method](path).set(auth).set("Content-Type", type).send(raw),
  };
}

/** Asserts the one /v1 error envelope with its status, type and code. */
export function expectError(res: Response, status: number, type: string, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error: { type, code, message: expect.any(String) } },
  });
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
}

/** Asserts the 403 a read_only credential gets on a write, with the RFC 6750 challenge naming the scope. */
export function expectInsufficientScope(res: Response, scope: string): void {
  expectError(res, 403, "permission_error", "insufficient_scope");
  expect(res.headers["www-authenticate"]).toContain('error="insufficient_scope"');
  expect(res.headers["www-authenticate"]).toContain(`scope="${scope}"`);
}
