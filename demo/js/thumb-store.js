/**
 * The demo's own IndexedDB database, holding only small thumbnails (and the name shown on the card)
 * per library, so the gallery appears at once on reload — before the model has even loaded. The
 * embeddings live in the SDK's library, not here. Keys are [library, photo id].
 */
const DB_NAME = 'siglip-demo-thumbnails';
const STORE = 'thumbs';
const PAGE = 400; // records per read: a few ms of main-thread deserialisation each

const request = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

export class ThumbStore {
  #db;

  constructor(indexedDBFactory = globalThis.indexedDB) {
    this.#db = new Promise((resolve, reject) => {
      const open = indexedDBFactory.open(DB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: ['library', 'id'] });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }

  async #store(mode) {
    return (await this.#db).transaction(STORE, mode).objectStore(STORE);
  }

  /** { id, name, addedAt, thumb: Blob, width, height } */
  async put(library, record) {
    await request((await this.#store('readwrite')).put({ ...record, library }));
  }

  async delete(library, ids) {
    const store = await this.#store('readwrite');
    await Promise.all(ids.map((id) => request(store.delete([library, id]))));
  }

  async clear(library) {
    await request((await this.#store('readwrite')).delete(IDBKeyRange.bound([library, ''], [library, '\uffff'])));
  }

  /** Every record of `library`, read in pages; `onPage` sees each page as it arrives. */
  async all(library, onPage) {
    const out = [];
    let after = '';
    for (;;) {
      const range = IDBKeyRange.bound([library, after], [library, '\uffff'], after !== '', false);
      const page = await request((await this.#store('readonly')).getAll(range, PAGE));
      out.push(...page);
      onPage?.(page);
      if (page.length < PAGE) return out;
      after = page[page.length - 1].id;
    }
  }
}
