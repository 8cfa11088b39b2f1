/** Cosine similarity; both embeddings come L2-normalized from the SDK, so it is a dot product. */
function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Free-text search: the query is embedded by the text tower once, then every photo's stored image
 * embedding is ranked against it. Typing fast fires several embeds; only the newest may land.
 */
export class PhotoSearch {
  query = '';
  #embedding = null;
  #seq = 0;

  constructor(onChange) {
    this.onChange = onChange;
  }

  get active() {
    return this.#embedding !== null;
  }

  async setQuery(siglip, query) {
    this.query = query;
    const seq = ++this.#seq;
    if (!siglip || query.trim() === '') {
      this.#embedding = null;
      this.onChange();
      return;
    }
    try {
      const embedding = await siglip.embedText(query.trim());
      if (seq !== this.#seq) return;
      this.#embedding = embedding;
    } catch {
      if (seq !== this.#seq) return;
      this.#embedding = null;
    }
    this.onChange();
  }

  /** Photos best match first (unranked ones last, in insertion order), with their similarity. */
  rank(photos) {
    if (!this.#embedding) return photos.map((photo) => ({ photo, similarity: null }));
    const q = this.#embedding;
    return photos
      .map((photo, order) => ({ photo, order, similarity: photo.embedding ? dot(photo.embedding, q) : null }))
      .sort((a, b) => (b.similarity ?? -Infinity) - (a.similarity ?? -Infinity) || a.order - b.order)
      .map(({ photo, similarity }) => ({ photo, similarity }));
  }
}
