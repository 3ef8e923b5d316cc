import { z } from "zod";
import type { Db } from "../db/client.js";
import { afterPosition, newestFirst, type Page, type Position, toPage } from "../http/pagination.js";
import { describeActor, describeEvent } from "./describe-event.js";

/**
 * One line of the activity list: who did what to which credential or membership, and when. The OpenAPI
 * document is generated from this schema and listActivity emits through it.
 */
export const activityViewSchema = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    workspace_name: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    details: z.record(z.string(), z.unknown()),
    summary: z.string().describe("The event as a sentence, e.g. `Revoked API key “CI deploy” (mrk_ab12cd34…)`."),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "Activity" });

export type ActivityView = z.output<typeof activityViewSchema>;

export interface ListActivityQuery {
  /** Only events of these workspaces (the ones the viewer administers). */
  workspaceIds: string[];
  limit: number;
  after: Position | null;
}

function parseDetails(raw: string | null): Record<string, unknown> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The audit log of the given workspaces, newest first, one page at a time. */
export async function listActivity(db: Db, query: ListActivityQuery): Promise<Page<ActivityView>> {
  if (query.workspaceIds.length === 0) return { data: [], has_more: false, next_cursor: null };
  const [rows, workspaces] = await Promise.all([
    db.auditEvent.findMany({
      where: { workspaceId: { in: query.workspaceIds }, ...afterPosition(query.after) },
      orderBy: newestFirst(),
      take: query.limit + 1,
    }),
    db.workspace.findMany({ where: { id: { in: query.workspaceIds } }, select: { id: true, name: true } }),
  ]);
  const names = new Map(workspaces.map((w) => [w.id, w.name]));
  return toPage(rows, query.limit, (row) => {
    const details = parseDetails(row.details);
    const view: z.input<typeof activityViewSchema> = {
      id: row.id,
      workspace_id: row.workspaceId ?? "",
      workspace_name: names.get(row.workspaceId ?? "") ?? "",
      actor: { type: row.actorType, id: row.actorId, label: describeActor(row.actorType, row.actorLabel) },
      action: row.action,
      target: { type: row.targetType, id: row.targetId },
      details,
      summary: describeEvent(row.action, details),
      created_at: row.createdAt.toISOString(),
    };
    return activityViewSchema.parse(view);
  });
}
