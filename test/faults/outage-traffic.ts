import { formOf, HttpBrowser } from "../support/connect-flow.js";

/** One request of the traffic: what was asked, the answer's status (0: no answer within the limit) and its time. */
export interface Sample {
  kind: string;
  status: number;
  ms: number;
  /** Date.now() when the request was sent. */
  at: number;
}

/** A request the traffic sends over and over. */
export type Probe = (signal: AbortSignal) => Promise<number>;

/** Anything slower than this counts as a hang (status 0). */
const HANG_MS = 10_000;

/**
 * Sends `probes` round-robin from `workers` concurrent loops until stop() is called; every answer is kept
 * with its duration, so a test can say which requests were slow, failed or hung, and when.
 */
export function startTraffic(probes: Record<string, Probe>, workers = 4) {
  const samples: Sample[] = [];
  let running = true;
  const kinds = Object.keys(probes);
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i++) {
      const kind = kinds[i % kinds.length];
      const at = Date.now();
      const started = performance.now();
      let status = 0;
      try {
        status = await probes[kind](AbortSignal.timeout(HANG_MS));
      } catch {
        status = 0;
      }
      samples.push({ kind, status, ms: performance.now() - started, at });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    samples,
    async stop(): Promise<Sample[]> {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

/** The status of a GET, the body drained. */
export async function statusOf(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res.status;
}

/** A browser signed in through /login, for the HTML pages. */
export async function signIn(baseUrl: string, user: { email: string; password: string }): Promise<HttpBrowser> {
  const browser = new HttpBrowser();
  const form = formOf(await (await browser.get(`${baseUrl}/login`)).text());
  const login = await browser.postForm(new URL(form.action, baseUrl), { _csrf: form.csrf, email: user.email, password: user.password });
  await login.arrayBuffer();
  if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`);
  return browser;
}

/** Polls `check` until it is true or `timeoutMs` passed; the milliseconds it took. */
export async function msUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The slowest sample, for `[figure]` lines and bounds. */
export function slowest(samples: Sample[]): Sample | undefined {
  return samples.reduce<Sample | undefined>((worst, s) => (!worst || s.ms > worst.ms ? s : worst), undefined);
}
