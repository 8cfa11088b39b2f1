/**
 * Raw text embeddings of recent search queries, keyed by model, dtype, template and text. A search
 * box re-runs the same query often (paging, k changes, re-sorting, typing back), and the text
 * tower costs hundreds of milliseconds where the scan itself costs tens; labels have their own
 * cache (LabelEmbeddingCache), so this one stays small and least-recently-used.
 */
export class TextQueryCache {
  private readonly entries = new Map<string, Float32Array>();

  constructor(private readonly maxEntries = 64) {}

  static key(model: string, dtype: string, template: string | false, text: string): string {
    // \u0000 cannot occur in a model id or dtype; `false` (no template) is not a string template.
    return `${model}\u0000${dtype}\u0000${template === false ? '\u0001' : `t${template}`}\u0000${text}`;
  }

  /** The cached embedding (the caller must not modify it), refreshed as most recently used. */
  get(key: string): Float32Array | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, embedding: Float32Array): void {
    this.entries.delete(key);
    this.entries.set(key, embedding);
    if (this.entries.size > this.maxEntries) {
      // Map iteration order is insertion order: the first key is the least recently used.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
