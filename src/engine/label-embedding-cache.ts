/**
 * Normalized text embeddings keyed by (template, label). Labels are usually a fixed vocabulary, so
 * after the first call a new image costs one vision pass and no text pass at all.
 */
export class LabelEmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();

  constructor(private readonly maxEntries = 50_000) {}

  private static key(template: string, label: string): string {
    return `${template}\u0000${label}`;
  }

  get(template: string, label: string): Float32Array | undefined {
    return this.entries.get(LabelEmbeddingCache.key(template, label));
  }

  set(template: string, label: string, embedding: Float32Array): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iteration order is insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(LabelEmbeddingCache.key(template, label), embedding);
  }

  /** Labels without an embedding yet, each once, in first-seen order. */
  missing(template: string, labels: readonly string[]): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const label of labels) {
      if (seen.has(label)) continue;
      seen.add(label);
      if (!this.entries.has(LabelEmbeddingCache.key(template, label))) out.push(label);
    }
    return out;
  }

  clear(): void {
    this.entries.clear();
  }
}
