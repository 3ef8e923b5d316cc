import type { Db } from "../../../src/db/client.js";
import { ensureTags } from "../../../src/resources/tags/ensure-tags.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeWorkspace } from "../../support/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A tag delegate whose lookup sees nothing, as when another process creates the tag right after our read. */
function blindLookup(db: Db): Pick<Db, "tag"> {
  const tag = new Proxy(db.tag, {
    get: (target, prop) =>
      prop === "findMany" ? async () => [] : (Reflect.get(target, prop) as (...args: unknown[]) => unknown).bind(target),
  });
  return { tag };
}

describe("ensureTags under a concurrent creation", () => {
  test("when a tag appears between the lookup and the insert, then it is reused rather than failing", async () => {
    const workspace = await makeWorkspace(t.ctx);
    const existing = await t.ctx.db.tag.create({
      data: { workspaceId: workspace.id, name: "Raced", nameNormalized: "raced" },
    });
    const ids = await ensureTags(blindLookup(t.ctx.db), workspace.id, ["RACED", "fresh"]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(existing.id);
    const tags = await t.ctx.db.tag.findMany({ where: { workspaceId: workspace.id }, orderBy: { nameNormalized: "asc" } });
    expect(tags.map((x) => x.name)).toEqual(["fresh", "Raced"]);
  });

  test("when the names repeat in different cases, then one id per distinct name", async () => {
    const workspace = await makeWorkspace(t.ctx);
    const ids = await ensureTags(t.ctx.db, workspace.id, ["a", "A", "b", "B", "a"]);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});
