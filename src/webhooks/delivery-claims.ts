import crypto from "node:crypto";
import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { databaseKind, type Db } from "../db/client.js";
import { Prisma } from "../generated/sqlite/client.js";
import { urlForAudit } from "./endpoint-url.js";
import type { AttemptResult } from "./send-webhook.js";

/*
 * The outbox's concurrency control, in one file. A node CLAIMS due deliveries by writing its own lease token and a
 * lease end into them with one statement; it then sends them OUTSIDE any transaction; and it RECORDS each outcome
 * in one short transaction that first checks it still holds the lease. So:
 * - two nodes never send one delivery at the same time: a claimed row is invisible to other claims until its
 *   lease ends (PostgreSQL: FOR UPDATE SKIP LOCKED makes concurrent claims skip each other's rows instead of
 *   waiting; SQLite: one writer at a time makes the statement atomic);
 * - a node that dies between claim and record loses nothing: the lease runs out and another node (or the same
 *   one after restart) claims the row again. The receiver may then get the event twice (at-least-once; the
 *   `webhook-id` header lets it de-duplicate);
 * - a node whose lease ran out while it was sending records nothing: the row belongs to whoever claimed it next.
 * The lease (WEBHOOK_LEASE_MS) must outlast an attempt (WEBHOOK_TIMEOUT_MS); config.ts checks it.
 */

/** A delivery this node holds, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  leaseToken: string;
  createdAt: Date;
  attemptCount: number;
  event: { id: string; payload: string };
  endpoint: { id: string; workspaceId: string; url: string; secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null };
}

/** Claims up to `limit` due deliveries of enabled endpoints for `leaseMs`. */
export async function claimDueDeliveries(db: Db, databaseUrl: string, limit: number, leaseMs: number, now = new Date()): Promise<ClaimedDelivery[]> {
  const token = crypto.randomBytes(12).toString("base64url");
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const due = Prisma.sql`
    SELECT d."id" FROM "WebhookDelivery" d
    WHERE d."status" = 'pending' AND d."nextAttemptAt" <= ${now}
      AND (d."leaseUntil" IS NULL OR d."leaseUntil" < ${now})
      AND EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."id" = d."endpointId" AND e."status" = 'enabled')
    ORDER BY d."nextAttemptAt"
    LIMIT ${limit}`;
  // A read first: on SQLite the claim is a write, and an idle poll must not take the write lock every second.
  if (!(await db.$queryRaw<{ id: string }[]>(due)).length) return [];
  const lock = databaseKind(databaseUrl) === "postgres" ? Prisma.sql`FOR UPDATE OF d SKIP LOCKED` : Prisma.empty;
  const claimed = await db.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookDelivery" SET "leaseToken" = ${token}, "leaseUntil" = ${leaseUntil}
    WHERE "id" IN (${due} ${lock})
    RETURNING "id"`;
  if (!claimed.length) return [];
  const rows = await db.webhookDelivery.findMany({
    where: { id: { in: claimed.map((c) => c.id) }, leaseToken: token },
    include: { event: { select: { id: true, payload: true } }, endpoint: true },
  });
  return rows.map((r) => ({
    id: r.id,
    leaseToken: token,
    createdAt: r.createdAt,
    attemptCount: r.attemptCount,
    event: r.event,
    endpoint: r.endpoint,
  }));
}

/** How one attempt ends the delivery's turn: retry at `retryAt`, or (null) final. */
export interface Outcome {
  result: AttemptResult;
  startedAt: Date;
  retryAt: Date | null;
}

/**
 * Records an attempt and its outcome, if this node still holds the lease (else nothing: returns false). A delivery
 * that fails for the last time fails; if its endpoint has had no success since the delivery was queued, the
 * endpoint is disabled (audited as webhook.disabled) and its other pending deliveries fail with it.
 */
export async function recordAttempt(db: Db, delivery: ClaimedDelivery, outcome: Outcome, now = new Date()): Promise<boolean> {
  const { result } = outcome;
  const status = result.ok ? "succeeded" : outcome.retryAt ? "pending" : "failed";
  return db.$transaction(async (tx) => {
    const held = await tx.webhookDelivery.updateMany({
      where: { id: delivery.id, leaseToken: delivery.leaseToken },
      data: {
        status,
        attemptCount: { increment: 1 },
        nextAttemptAt: status === "pending" ? outcome.retryAt : null,
        deliveredAt: result.ok ? now : null,
        leaseToken: null,
        leaseUntil: null,
      },
    });
    if (held.count === 0) return false;
    await tx.webhookAttempt.create({
      data: {
        deliveryId: delivery.id,
        startedAt: outcome.startedAt,
        durationMs: result.durationMs,
        responseStatus: result.responseStatus,
        error: result.error,
        outcome: result.ok ? "succeeded" : "failed",
      },
    });
    if (result.ok) {
      await tx.webhookEndpoint.update({ where: { id: delivery.endpoint.id }, data: { lastSuccessAt: now } });
    } else if (status === "failed") {
      await disableIfNoSuccessSince(tx, delivery, result.error ?? "failed", now);
    }
    return true;
  });
}

type Tx = Prisma.TransactionClient;

async function disableIfNoSuccessSince(tx: Tx, delivery: ClaimedDelivery, lastError: string, now: Date): Promise<void> {
  const reason = `A delivery failed after ${delivery.attemptCount + 1} attempts with no successful delivery since it was queued (last error: ${lastError.slice(0, 300)}).`;
  const disabled = await tx.webhookEndpoint.updateMany({
    where: { id: delivery.endpoint.id, status: "enabled", OR: [{ lastSuccessAt: null }, { lastSuccessAt: { lt: delivery.createdAt } }] },
    data: { status: "disabled", disabledAt: now, disabledReason: reason },
  });
  if (disabled.count === 0) return;
  // Its other deliveries would fail the same way; they stay listed, and can be resent once it is enabled again.
  const abandoned = await tx.webhookDelivery.updateMany({
    where: { endpointId: delivery.endpoint.id, status: "pending" },
    data: { status: "failed", nextAttemptAt: null },
  });
  await recordAudit(tx, {
    workspaceId: delivery.endpoint.workspaceId,
    actor: SYSTEM,
    action: "webhook.disabled",
    target: { type: "webhook", id: delivery.endpoint.id },
    details: { url: urlForAudit(delivery.endpoint.url), reason, failed_pending_deliveries: abandoned.count },
  });
}
