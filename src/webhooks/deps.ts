import type { Db } from "../db/client.js";
import type { SecretBox } from "./secret-box.js";

/** What the webhook services need: the database and the box that seals signing secrets. AppContext.webhooks. */
export interface WebhookDeps {
  db: Db;
  secrets: SecretBox;
}
