type Value = string | number;

interface Node<L> {
  next: Map<Value, Node<L>>;
  labels?: L;
}

/**
 * One label object per distinct list of values, made on first use and reused after: prom-client and
 * TallyCounter get the same object for the same labels, and a request that counts allocates none. The values are
 * bounded sets (methods, route patterns, status codes, our error codes), so the objects are too.
 */
export class LabelSets<N extends string> {
  private readonly root: Node<Record<N, string>> = { next: new Map() };

  constructor(private readonly names: readonly N[]) {}

  /** The label object for `values`, given in the order of the names. */
  of(...values: Value[]): Record<N, string> {
    let node = this.root;
    for (const value of values) {
      let child = node.next.get(value);
      if (!child) node.next.set(value, (child = { next: new Map() }));
      node = child;
    }
    return (node.labels ??= Object.fromEntries(this.names.map((name, i) => [name, String(values[i])])) as Record<N, string>);
  }
}
