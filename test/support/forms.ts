import request from "supertest";
import type express from "express";

/** A cookie-keeping browser-like agent for server-rendered forms. */
export function agent(app: express.Express) {
  return request.agent(app);
}

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF token on the page");
  return match[1];
}

/** Signs an agent in through /login; returns the agent. */
export async function signIn(a: ReturnType<typeof agent>, email: string, password: string) {
  const page = await a.get("/login").expect(200);
  await a
    .post("/login")
    .type("form")
    .send({ _csrf: csrfFrom(page.text), email, password, return_to: "/settings" })
    .expect(303);
  return a;
}
