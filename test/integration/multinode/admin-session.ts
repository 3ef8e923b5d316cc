import { formOf, HttpBrowser } from "../../support/connect-flow.js";

/** A person signed in to one node's /api (Settings as JSON), as a dashboard script would be. */
export interface AdminSession {
  /** POSTs JSON with the CSRF header; returns status and body. */
  post(path: string, body?: object): Promise<{ status: number; body: unknown }>;
}

/** Signs in through the node's /login form and fetches the CSRF token /api needs for changes. */
export async function signInAdmin(baseUrl: string, user: { email: string; password: string }): Promise<AdminSession> {
  const browser = new HttpBrowser();
  const page = await browser.get(`${baseUrl}/login`);
  const form = formOf(await page.text());
  const login = await browser.postForm(new URL(form.action, baseUrl), { _csrf: form.csrf, email: user.email, password: user.password });
  await login.arrayBuffer();
  if (login.status !== 303) throw new Error(`sign-in on ${baseUrl} answered ${login.status}`);
  const tokenRes = await browser.get(`${baseUrl}/api/csrf-token`);
  const { token } = (await tokenRes.json()) as { token: string };
  return {
    async post(path, body = {}) {
      const res = await browser.request(`${baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
  };
}

/** GET /v1/workspace on one node with a bearer credential; the status. */
export async function v1Status(baseUrl: string, credential: string): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/workspace`, { headers: { authorization: `Bearer ${credential}` } });
  await res.arrayBuffer();
  return res.status;
}

/** Asks `baseUrl` every few milliseconds until it answers `status` for the credential; the milliseconds it took. */
export async function msUntilStatus(baseUrl: string, credential: string, status: number, since: number, timeoutMs = 10_000): Promise<number> {
  for (;;) {
    const got = await v1Status(baseUrl, credential);
    const elapsed = performance.now() - since;
    if (got === status) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`${baseUrl} still answers ${got} after ${Math.round(elapsed)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
