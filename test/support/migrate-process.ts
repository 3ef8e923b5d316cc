// A separate process that migrates the database named on its command line and prints what it applied (JSON).
import { migrate } from "../../src/db/migrate.js";

const applied = await migrate(process.argv[2]);
process.stdout.write(JSON.stringify(applied));
