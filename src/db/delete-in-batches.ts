/**
 * Deletes rows a few hundred at a time: `find` returns up to `size` candidates, `remove` deletes them (and
 * must re-check the condition, so a row that changed meanwhile stays). Short transactions keep locks brief on
 * a busy database, and several processes may run it at once: a row another already deleted is simply not
 * counted. Returns how many rows this call deleted.
 */
export async function deleteInBatches<Row>(
  find: (size: number) => Promise<Row[]>,
  remove: (rows: Row[]) => Promise<number>,
  size = 500,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await find(size);
    if (rows.length) deleted += await remove(rows);
    if (rows.length < size) return deleted;
  }
}
