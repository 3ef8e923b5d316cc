import type { Request, Router } from "express";
import type { AppContext } from "../../context.js";
import { principalOf, requireScope } from "../../credentials/authenticate.js";
import { parsePageQuery } from "../../http/pagination.js";
import { parseInput } from "../../http/validation.js";
import { createTag } from "./create-tag.js";
import { deleteTag } from "./delete-tag.js";
import { listTags } from "./list-tags.js";
import { createTagSchema } from "./schemas.js";

// Express types every route parameter as string | string[]; these routes have exactly one named :id.
type ById = Request<{ id: string }>;

const workspaceOf = (req: Request) => principalOf(req).workspace.id;

/** /v1/tags: list and create (tags:read / tags:write), delete by id (tags:write). Always within the caller's workspace. */
export function tagRoutes(router: Router, ctx: AppContext): void {
  const { db } = ctx;
  const canRead = requireScope("tags:read");
  const canWrite = requireScope("tags:write");

  router.get("/tags", canRead, async (req, res) => {
    res.json(await listTags(db, workspaceOf(req), parsePageQuery(req.query)));
  });
  router.post("/tags", canWrite, async (req, res) => {
    const input = parseInput(createTagSchema, req.body, "body");
    res.status(201).json({ data: await createTag(db, workspaceOf(req), input) });
  });
  router.delete("/tags/:id", canWrite, async (req: ById, res) => {
    await deleteTag(db, workspaceOf(req), req.params.id);
    res.status(204).end();
  });
}
