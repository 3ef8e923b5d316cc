/**
 * How a credential came to be known as leaked, recorded on what it revokes: someone holding it reported it
 * (`reported_leaked`, with the reporter's address), or a secret scanner found it in public (`found_public`,
 * with the URL).
 */
export type Leak = { reason: "reported_leaked"; reporter: string } | { reason: "found_public"; url: string };

export type LeakReason = Leak["reason"];

/** What a leak adds to an audit entry's details. */
export function leakDetails(leak: Leak): Record<string, string> {
  return leak.reason === "reported_leaked" ? { reason: leak.reason, reporter: leak.reporter } : { reason: leak.reason, url: leak.url };
}

/** A leak reported by someone holding the credential. */
export type ReportedLeak = Extract<Leak, { reason: "reported_leaked" }>;
