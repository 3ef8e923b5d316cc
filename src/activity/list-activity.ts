import type { Db } from "../db/client.js";
import { afterPosition, newestFirst, type Page, type Position, toPage } from "../http/pagination.js";
import { describeActor, describeEvent } from "./describe-event.js";

/** One line of the activity list: who did what to which credential or membership, and when. */
export interface ActivityView {
  id: string;
  workspace_id: string;
  workspace_name: string;
  actor: { type: string; id: string | null; label: string };
  action: string;
  target: { type: string; id: string };
  details: Record<string, unknown>;
  /** The event as a sentence, e.g. `Revoked API key “CI deploy” (mrk_ab12cd34…)`. */
  summary: string;
  created_at: string;
}

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
    return {
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
  });
}
