import type { Db } from "../../db/client.js";
import { type ClientView, toClientView } from "./client-view.js";

/** Every registered app, newest first, deleted ones included (as history). */
export async function listClients(db: Db): Promise<ClientView[]> {
  const rows = await db.oAuthClient.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(toClientView);
}
