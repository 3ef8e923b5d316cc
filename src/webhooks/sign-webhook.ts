import crypto from "node:crypto";
import { secretBytes } from "./signing-secret.js";

/**
 * Standard Webhooks headers for one attempt: `webhook-signature` holds `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">` for each live secret, space-separated (the current one first, then, during a rotation's
 * overlap, the previous one), so a receiver verifying with either secret accepts the request.
 */
export function signatureHeaders(eventId: string, body: string, secrets: readonly string[], now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  const signed = `${eventId}.${timestamp}.${body}`;
  const signatures = secrets.map((s) => `v1,${crypto.createHmac("sha256", secretBytes(s)).update(signed).digest("base64")}`);
  return { "webhook-id": eventId, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}
