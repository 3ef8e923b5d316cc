import { startTestApp, type TestApp } from "../../support/app.js";
import { cliJson, runCli } from "../../support/cli.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";

let t: TestApp;
let databaseUrl: string;
let workspaceId: string;
beforeAll(async () => {
  t = await startTestApp();
  databaseUrl = t.config.databaseUrl;
  const owner = await makeUser(t.ctx);
  workspaceId = (await makeWorkspace(t.ctx, "Hooks Inc", [{ userId: owner.id, role: "owner" }])).id;
});
afterAll(() => t.close());

const cli = (args: string[], code = 0) => cliJson(args, { databaseUrl }, code);

describe("workspace-auth webhook commands", () => {
  test("when an endpoint is added, then its secret is printed once; list, rotate-secret, deliveries and remove follow, and no listing shows a secret", async () => {
    const added = await cli(["webhook", "add", "--workspace", workspaceId, "--url", "https://ops.example.test/hooks", "--events", "api_key.revoked,member.removed", "--description", "ops"]);
    expect(added).toMatchObject({ workspace_id: workspaceId, url: "https://ops.example.test/hooks", events: ["api_key.revoked", "member.removed"], status: "enabled", secret: expect.stringMatching(/^whsec_/) });
    const listed = await runCli(["webhook", "list", "--workspace", workspaceId, "--json"], { databaseUrl });
    expect(JSON.parse(listed.stdout).webhooks.map((h: { id: string }) => h.id)).toEqual([added.id]);
    expect(listed.stdout).not.toContain(added.secret);

    const rotated = await cli(["webhook", "rotate-secret", "--id", added.id]);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(added.secret);
    expect(Date.parse(rotated.previous_secret_expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    const deliveries = await cli(["webhook", "deliveries", added.id]);
    expect(deliveries).toMatchObject({ deliveries: expect.any(Array), has_more: expect.any(Boolean) });

    expect(await cli(["webhook", "remove", "--id", added.id])).toEqual({ id: added.id, status: "deleted" });
    expect((await cli(["webhook", "list", "--workspace", workspaceId])).webhooks).toEqual([]);
    expect((await cli(["webhook", "remove", "--id", added.id], 1)).error.code).toBe("not_found");
  });

  test("when added without --json, then the secret is printed with the warning that it is not shown again", async () => {
    const run = await runCli(["webhook", "add", "--workspace", workspaceId, "--url", "https://human.example.test/", "--events", "all"], { databaseUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/signing secret: whsec_/);
    expect(run.stdout).toContain("not shown again");
    expect(run.stdout).toContain("credential.reported_leaked");
  });

  test("when an event is unknown, then exit 2 (usage); when the URL is refused or the workspace unknown, then exit 1 with the error code", async () => {
    const usage = await runCli(["webhook", "add", "--workspace", workspaceId, "--url", "https://x.example.test/", "--events", "api_key.eaten", "--json"], { databaseUrl });
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error.code).toBe("usage_error");
    const insecure = await cli(["webhook", "add", "--workspace", workspaceId, "--url", "http://plain.example.test/", "--events", "all"], 1);
    expect(insecure.error.message).toEqual(expect.any(String));
    expect((await cli(["webhook", "add", "--workspace", "nope", "--url", "https://x.example.test/", "--events", "all"], 1)).error.code).toBe("not_found");
    expect((await cli(["webhook", "list", "--workspace", workspaceId])).webhooks.some((h: { url: string }) => h.url.includes("plain"))).toBe(false);
  });
});
