import type pg from "pg";
import { BoundedPgClient } from "./bounded-pg-client.js";
import { preparedName } from "./prepared-statements.js";

/**
 * The pool's client: a BoundedPgClient that runs the registered texts as named prepared statements. pg prepares
 * a name the first time a connection runs it and then sends only its parameters; a new connection (after a
 * restart or a failover) prepares it again. The name is the text's digest, so one name never stands for two
 * texts, which pg would refuse.
 *
 * Not for a pooler in transaction mode that predates prepared-statement support (PgBouncer before 1.21): a
 * statement prepared on one server connection may be executed on another.
 */
export class PreparingPgClient extends BoundedPgClient {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // Wrapped per instance, as BoundedPgClient does, so the client keeps pg's own overloaded types.
    const self = this as unknown as { query: (...args: unknown[]) => unknown };
    const query = self.query.bind(this);
    self.query = (first, ...rest) => query(named(first), ...rest);
  }
}

/** A query config (as Prisma's adapter passes one) with its registered name added; anything else as it is. */
function named(config: unknown): unknown {
  // A Submittable (a cursor, a Query object) keeps its own prototype: left alone.
  if (typeof config !== "object" || config === null || typeof (config as pg.Submittable).submit === "function") return config;
  const { text, name } = config as pg.QueryConfig;
  if (name !== undefined || typeof text !== "string") return config;
  const prepared = preparedName(text);
  return prepared === undefined ? config : { ...config, name: prepared };
}
