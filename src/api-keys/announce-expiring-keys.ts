import { EXPIRING_SOON_DAYS } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import { auditExpiry } from "./expire-api-keys.js";

const WINDOW_MS = EXPIRING_SOON_DAYS * 86_400_000;

/**
 * Writes one Activity entry per active key that has entered the "expires within 7 days" window. The
 * conditional update claims the key first, so the entry appears exactly once, whichever node gets there first.
 */
export async function announceExpiringKeys(deps: Pick<ApiKeyDeps, "db">, now = new Date()): Promise<number> {
  const due = await deps.db.apiKey.findMany({
    where: { status: "active", expiringNoticeAt: null, expiresAt: { gt: now, lte: new Date(now.getTime() + WINDOW_MS) } },
    select: { id: true },
    take: 500,
  });
  let count = 0;
  for (const { id } of due) {
    const announced = await deps.db.$transaction(async (tx) => {
      const claimed = await tx.apiKey.updateMany({ where: { id, expiringNoticeAt: null }, data: { expiringNoticeAt: now } });
      if (claimed.count === 0) return false;
      await auditExpiry(tx, id, "api_key.expiring_soon");
      return true;
    });
    if (announced) count++;
  }
  return count;
}
