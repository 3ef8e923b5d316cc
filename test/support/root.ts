import path from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout under test: where the tests find the sources, dist/, bin/, prisma/ and the deployment files. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
