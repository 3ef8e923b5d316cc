// A separate process writing through the application's own database client (createDb): `count` writes, `concurrency`
// at a time, then prints its descriptors on the database file and the connection's busy_timeout. Every fifth write
// is an interactive transaction (the path that used to open a new connection each time), the others single
// statements (cheaper under Prisma, so that 10,000 writes fit the fault suite's time on a slow machine).
import { createDb } from "../../../src/db/client.js";
import { descriptorsOn } from "./sqlite-load.js";

const [url, workspaceId, count, concurrency] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const db = await createDb(url);
const before = descriptorsOn(process.pid, "app.db");
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const n = next++;
      const data = { workspaceId, name: `bulk ${n}`, nameNormalized: `bulk ${n}-${process.pid}` };
      if (n % 5 === 0) await db.$transaction(async (tx) => tx.tag.create({ data }));
      else {
        await db.$executeRawUnsafe(
          `INSERT INTO "Tag" (id, workspaceId, name, nameNormalized) VALUES (?, ?, ?, ?)`,
          `bulk-${process.pid}-${n}`,
          data.workspaceId,
          data.name,
          data.nameNormalized,
        );
      }
    }
  }),
);
const after = descriptorsOn(process.pid, "app.db");
const [{ timeout }] = await db.$queryRawUnsafe<{ timeout: number }[]>("PRAGMA busy_timeout");
await db.$disconnect();
process.stdout.write(JSON.stringify({ before, after, writes: count, transactions: Math.ceil(count / 5), busyTimeout: Number(timeout) }));
