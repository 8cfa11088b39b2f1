/**
 * Free-text search through library.search (ranking runs in the worker over the stored embeddings).
 * Typing fast fires several searches; only the newest may land.
 */
const MAX_HITS = 200;

export class LibrarySearch {
  query = '';
  hits = null; // LibraryHit[] while a query is active
  error = null;
  #seq = 0;

  constructor(onChange) {
    this.onChange = onChange;
  }

  get active() {
    return this.hits !== null;
  }

  async setQuery(library, query, count) {
    this.query = query;
    const seq = ++this.#seq;
    if (!library || query.trim() === '') {
      this.hits = null;
      this.error = null;
      this.onChange();
      return;
    }
    try {
      const hits = await library.search(query.trim(), { k: Math.max(1, Math.min(MAX_HITS, count)) });
      if (seq !== this.#seq) return;
      Object.assign(this, { hits, error: null });
    } catch (err) {
      if (seq !== this.#seq) return;
      Object.assign(this, { hits: null, error: err instanceof Error ? err.message : String(err) });
    }
    this.onChange();
  }

  /** Refresh the current query (photos were added or removed). */
  refresh(library, count) {
    if (this.query.trim()) return this.setQuery(library, this.query, count);
    return undefined;
  }
}
