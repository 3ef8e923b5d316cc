/**
 * Text our databases cannot store faithfully: PostgreSQL `text` holds no NUL, and a lone UTF-16 surrogate
 * (`"\ud800"`, legal in JSON) has no UTF-8 encoding, so drivers fail on it with a 500. Checked once, over
 * every string and field name of a parsed request, so no schema has to remember it.
 */

// With the `u` flag a surrogate pair is one code point outside this range; only a lone surrogate matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function problemIn(text: string): string | null {
  if (text.includes("\u0000")) return "Text may not contain NUL characters.";
  if (LONE_SURROGATE.test(text)) return "Text must be well-formed Unicode (it contains a lone UTF-16 surrogate).";
  return null;
}

/** The first problem in any string or field name of `value`, at any depth; null when all text is storable. */
export function malformedTextIn(value: unknown): string | null {
  // A loop over an explicit stack: a 100 kB JSON body can nest deeper than the call stack allows.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      const problem = problemIn(current);
      if (problem) return problem;
    } else if (typeof current === "object" && current !== null) {
      for (const [field, inner] of Object.entries(current)) {
        const problem = problemIn(field);
        if (problem) return problem;
        pending.push(inner);
      }
    }
  }
  return null;
}
