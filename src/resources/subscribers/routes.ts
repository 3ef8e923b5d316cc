import type { Request, Router } from "express";
import type { AppContext } from "../../context.js";
import { principalOf, requireScope } from "../../credentials/authenticate.js";
import { parsePageQuery } from "../../http/pagination.js";
import { parseInput } from "../../http/validation.js";
import { createSubscriber } from "./create-subscriber.js";
import { deleteSubscriber } from "./delete-subscriber.js";
import { getSubscriber } from "./get-subscriber.js";
import { listSubscribers } from "./list-subscribers.js";
import { createSubscriberSchema, updateSubscriberSchema } from "./schemas.js";
import { updateSubscriber } from "./update-subscriber.js";

// Express types every route parameter as string | string[]; these routes have exactly one named :id.
type ById = Request<{ id: string }>;

const workspaceOf = (req: Request) => principalOf(req).workspace.id;

/** /v1/subscribers: reads need subscribers:read, writes subscribers:write. Always within the caller's workspace. */
export function subscriberRoutes(router: Router, ctx: AppContext): void {
  const { db } = ctx;
  const canRead = requireScope("subscribers:read");
  const canWrite = requireScope("subscribers:write");

  router.get("/subscribers", canRead, async (req, res) => {
    res.json(await listSubscribers(db, workspaceOf(req), parsePageQuery(req.query)));
  });
  router.post("/subscribers", canWrite, async (req, res) => {
    const input = parseInput(createSubscriberSchema, req.body, "body");
    res.status(201).json({ data: await createSubscriber(db, workspaceOf(req), input) });
  });
  router.get("/subscribers/:id", canRead, async (req: ById, res) => {
    res.json({ data: await getSubscriber(db, workspaceOf(req), req.params.id) });
  });
  router.patch("/subscribers/:id", canWrite, async (req: ById, res) => {
    const input = parseInput(updateSubscriberSchema, req.body, "body");
    res.json({ data: await updateSubscriber(db, workspaceOf(req), req.params.id, input) });
  });
  router.delete("/subscribers/:id", canWrite, async (req: ById, res) => {
    await deleteSubscriber(db, workspaceOf(req), req.params.id);
    res.status(204).end();
  });
}
