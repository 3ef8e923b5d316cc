import crypto from "node:crypto";
import { generateKey } from "../../../src/api-keys/key-format.js";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { ConfigError, loadConfig } from "../../../src/config.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { agent, signIn } from "../../support/forms.js";
import { makeOwner, v1Status } from "../../support/oauth-helpers.js";

/** A key pair as GitHub holds one: the private half signs reports, the public half is configured here. */
function partnerKeyPair() {
  return crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
}
const github = partnerKeyPair();
const KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";
const publicPem = (pair: ReturnType<typeof partnerKeyPair>) => pair.publicKey.export({ type: "spki", format: "pem" }).toString();
/** The meta endpoint's answer, as an operator copies it into SECRET_SCANNING_PUBLIC_KEYS. */
const META = JSON.stringify({ public_keys: [{ key_identifier: KEY_ID, key: publicPem(github), is_current: true }] });

const sign = (body: string, pair = github) => crypto.sign("sha256", Buffer.from(body), { key: pair.privateKey, dsaEncoding: "der" }).toString("base64");
const sha256 = (value: string) => crypto.createHash("sha256").update(value).digest("hex");

let t: TestServer;
let owner: Awaited<ReturnType<typeof makeOwner>>;
beforeAll(async () => {
  t = await startTestServer({ SECRET_SCANNING_PUBLIC_KEYS: META });
  owner = await makeOwner(t.ctx);
});
afterAll(() => t.close());

/** POSTs a report as GitHub does: the raw body, its signature and the key identifier (each overridable). */
async function post(body: string, headers: Record<string, string | undefined> = {}) {
  const sent: Record<string, string> = { "content-type": "application/json" };
  const all = { "Github-Public-Key-Identifier": KEY_ID, "Github-Public-Key-Signature": sign(body), ...headers };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) sent[name] = value;
  const res = await fetch(`${t.url}/secret-scanning/report`, { method: "POST", headers: sent, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const match = (token: string, url = "https://github.com/octo/repo/blob/abc/config.js") => ({ token, type: "workspace_auth_api_key", url, source: "content" });

describe("POST /secret-scanning/report", () => {
  test("when a correctly signed report names a live, a revoked, an unknown and a malformed key, then the live one is revoked as found in public and each is labelled", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const revoked = await makeKey(t.ctx, owner.workspace.id);
    await revokeApiKey(t.ctx.apiKeys, { id: revoked.record.id, scope: OPERATOR, actor: CLI });
    const unknown = generateKey();
    const url = "https://github.com/octo/repo/blob/abc/.env";
    const tokens = [live.key, revoked.key, unknown, "mrk_notakey"];
    const body = JSON.stringify([match(live.key, url), match(revoked.key), match(unknown), match("mrk_notakey", "")]);

    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      tokens.map((token, i) => ({ token_hash: sha256(token), token_type: "workspace_auth_api_key", label: i < 2 ? "true_positive" : "false_positive" })),
    );
    expect(await v1Status(t.url, live.key)).toBe(401);
    expect(await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: live.record.id } })).toMatchObject({
      status: "revoked",
      revokedReason: "found_public",
      revokedUrl: url,
    });
    // Revoked earlier by a person: stays as that person left it.
    expect(await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: revoked.record.id } })).toMatchObject({ revokedReason: null });

    // The same report again (GitHub retries): the same labels, and nothing new happens.
    const events = await t.ctx.db.auditEvent.count({ where: { targetId: live.record.id } });
    const replay = await post(body);
    expect(replay).toEqual(res);
    expect(await t.ctx.db.auditEvent.count({ where: { targetId: live.record.id } })).toBe(events);
    expect(t.logs.text).not.toContain(live.key);
    expect(t.logs.text).not.toContain(unknown);
  });

  test.each([
    ["no signature", { "Github-Public-Key-Signature": undefined }],
    ["no key identifier", { "Github-Public-Key-Identifier": undefined }],
    ["an unknown key identifier", { "Github-Public-Key-Identifier": "f".repeat(64) }],
    ["a signature by another key", { forged: "yes" }],
    ["a signature that is not base64 DER", { "Github-Public-Key-Signature": "bm90IGEgc2lnbmF0dXJl" }],
  ])("when a report has %s, then 401 and the key stays live", async (_name, headers) => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const body = JSON.stringify([match(live.key)]);
    const { forged, ...rest } = headers as Record<string, string | undefined>;
    const res = await post(body, forged ? { "Github-Public-Key-Signature": sign(body, partnerKeyPair()) } : rest);
    expect(res).toEqual({ status: 401, body: { error: { type: "authentication_error", code: "invalid_signature", message: expect.any(String) } } });
    expect(await v1Status(t.url, live.key)).toBe(200);
  });

  test("when a signed report is altered after signing, then 401 and nothing is revoked", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const other = await makeKey(t.ctx, owner.workspace.id);
    const signed = JSON.stringify([match(other.key)]);
    const res = await post(JSON.stringify([match(live.key)]), { "Github-Public-Key-Signature": sign(signed) });
    expect(res.status).toBe(401);
    expect(await v1Status(t.url, live.key)).toBe(200);
    expect(await v1Status(t.url, other.key)).toBe(200);
  });

  test("when a correctly signed body is not a report, then 400 or 422 and nothing is revoked", async () => {
    expect((await post("{not json")).status).toBe(400);
    expect((await post(JSON.stringify({ token: "x" }))).status).toBe(422);
    expect((await post("[]")).status).toBe(422);
  });
});

describe("SECRET_SCANNING_PUBLIC_KEYS", () => {
  const base = { NODE_ENV: "test" };
  test("when it holds the meta endpoint's answer or its array, then the server takes the keys", () => {
    expect(loadConfig({ ...base, SECRET_SCANNING_PUBLIC_KEYS: META }).secretScanningKeys).toEqual([{ identifier: KEY_ID, pem: publicPem(github) }]);
    const list = JSON.stringify(JSON.parse(META).public_keys);
    expect(loadConfig({ ...base, SECRET_SCANNING_PUBLIC_KEYS: list }).secretScanningKeys).toHaveLength(1);
    expect(loadConfig(base).secretScanningKeys).toEqual([]);
  });

  test.each([
    ["not JSON", "-----BEGIN PUBLIC KEY-----"],
    ["no keys", JSON.stringify({ public_keys: [] })],
    ["an RSA key", JSON.stringify([{ key_identifier: "r", key: crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }) }])],
    ["a P-384 key", JSON.stringify([{ key_identifier: "p", key: crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({ type: "spki", format: "pem" }) }])],
  ])("when it holds %s, then the server refuses to start", (_name, value) => {
    expect(() => loadConfig({ ...base, SECRET_SCANNING_PUBLIC_KEYS: value })).toThrow(ConfigError);
  });
});

describe("the API Keys page shows keys revoked because they leaked", () => {
  test("when a key was found in public, then its admins see a banner with the URL and the reason on the key's row; a stranger does not", async () => {
    const found = await makeKey(t.ctx, owner.workspace.id);
    const reported = await makeKey(t.ctx, owner.workspace.id);
    const old = await makeKey(t.ctx, owner.workspace.id);
    const url = "https://github.com/octo/leaky/blob/main/deploy.sh";
    expect((await post(JSON.stringify([match(found.key, url), match(old.key, "https://github.com/octo/old")]))).status).toBe(200);
    await fetch(`${t.url}/credentials/revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ credentials: [reported.key] }) });
    await t.ctx.db.apiKey.update({ where: { id: old.record.id }, data: { revokedAt: new Date(Date.now() - 31 * 24 * 3600_000) } });

    const page = (await (await signIn(agent(t.app), owner.user.email, owner.user.password)).get("/settings/api-keys").expect(200)).text;
    const banner = /<section class="warning leak-banner"[\s\S]*?<\/section>/.exec(page)?.[0] ?? "";
    expect(banner).toContain(`data-key-id="${found.record.id}"`);
    expect(banner).toContain(`<a href="${url}"`);
    expect(banner).toContain(`data-key-id="${reported.record.id}"`);
    expect(banner).toContain("reported leaked by <code>127.0.0.1</code>");
    // Revoked 31 days ago: only on its row now.
    expect(banner).not.toContain(old.record.id);
    const row = new RegExp(`<tr data-key-id="${found.record.id}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? "";
    expect(row).toContain('data-revoked-reason="found_public"');
    expect(row).toContain("Found in public");

    const activity = (await (await signIn(agent(t.app), owner.user.email, owner.user.password)).get("/settings/activity").expect(200)).text;
    expect(activity).toContain(`(found in public at ${url})`);

    const stranger = await makeOwner(t.ctx);
    const theirs = (await (await signIn(agent(t.app), stranger.user.email, stranger.user.password)).get("/settings/api-keys").expect(200)).text;
    expect(theirs).not.toContain("leak-banner");
    expect(theirs).not.toContain(url);
  });
});
