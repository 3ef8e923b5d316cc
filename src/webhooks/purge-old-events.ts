import type { Db } from "../db/client.js";
import { deleteInBatches } from "../db/delete-in-batches.js";

/** How long sent and failed events stay listed with their deliveries and attempts. */
export const EVENT_RETENTION_DAYS = 30;

/**
 * Deletes events older than the retention with their deliveries and attempts (cascade), unless one of their
 * deliveries is still pending. Every server runs it with the other purges; a row already gone is not counted.
 */
export async function purgeOldWebhookEvents(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - EVENT_RETENTION_DAYS * 86_400_000);
  const old = { createdAt: { lt: before }, deliveries: { none: { status: "pending" } } };
  return deleteInBatches(
    (size) => db.webhookEvent.findMany({ where: old, select: { id: true }, take: size }),
    async (rows) => (await db.webhookEvent.deleteMany({ where: { id: { in: rows.map((r) => r.id) }, ...old } })).count,
  );
}
