import type { Db } from "../../db/client.js";

/** What the consent page shows about an app. */
export interface ClientPresentation {
  id: string;
  name: string;
  logoUri: string | null;
  homepage: string | null;
}

/** The active app with this client_id, or null. */
export async function findClientPresentation(db: Db, clientId: string): Promise<ClientPresentation | null> {
  const row = await db.oAuthClient.findFirst({ where: { id: clientId, status: "active" } });
  return row && { id: row.id, name: row.name, logoUri: row.logoUri, homepage: row.homepage };
}
