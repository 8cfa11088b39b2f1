/**
 * What the gallery shows, by photo id: the stored thumbnail and name, and where the photo stands.
 *   state: 'queued'   picked while no model was ready; indexed once one is
 *          'indexing' handed to library.add, not stored yet
 *          'indexed'  stored in the library (tags come from library.tag, on demand)
 *          'failed'   the library could not read it (error = its message); not stored, not counted as tagged
 */
export class Photos {
  #byId = new Map();
  #order = []; // ids, oldest first
  #urls = new Map();

  constructor(onChange) {
    this.onChange = onChange;
  }

  get size() {
    return this.#byId.size;
  }

  get(id) {
    return this.#byId.get(id);
  }

  /** Ids in gallery order (oldest first). */
  ids() {
    return this.#order;
  }

  upsert(photo) {
    const existing = this.#byId.get(photo.id);
    if (existing) Object.assign(existing, photo);
    else {
      this.#byId.set(photo.id, { state: 'indexed', error: null, ...photo });
      this.#order.push(photo.id);
    }
    this.onChange();
  }

  /** Many records at once, sorted by addedAt (a reload reads them in key order). */
  load(records) {
    for (const r of records) if (!this.#byId.has(r.id)) this.#byId.set(r.id, { state: 'indexed', error: null, ...r });
    this.#order = [...this.#byId.values()].sort((a, b) => (a.addedAt ?? 0) - (b.addedAt ?? 0)).map((p) => p.id);
    this.onChange();
  }

  remove(ids) {
    const gone = new Set(ids);
    for (const id of gone) {
      this.#revoke(id);
      this.#byId.delete(id);
    }
    this.#order = this.#order.filter((id) => !gone.has(id));
    this.onChange();
  }

  clear() {
    for (const id of this.#byId.keys()) this.#revoke(id);
    this.#byId.clear();
    this.#order = [];
    this.onChange();
  }

  /** Object URL of the stored thumbnail, made when a card first needs it. */
  thumbUrl(id) {
    const photo = this.#byId.get(id);
    if (!photo?.thumb) return null;
    let url = this.#urls.get(id);
    if (!url) this.#urls.set(id, (url = URL.createObjectURL(photo.thumb)));
    return url;
  }

  #revoke(id) {
    const url = this.#urls.get(id);
    if (url) URL.revokeObjectURL(url);
    this.#urls.delete(id);
  }

  counts() {
    const c = { total: this.#byId.size, queued: 0, indexing: 0, indexed: 0, failed: 0 };
    for (const p of this.#byId.values()) c[p.state]++;
    return c;
  }
}
