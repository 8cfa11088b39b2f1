/**
 * A library larger than one embedding chunk (1,024 rows), through the public API: rows in sealed
 * chunks (stored as Blobs in Chromium) and in the open last chunk read back, rank, get, remove and
 * export exactly as imported, before and after a reload, and adding after a reload appends.
 */
import { expect, test, type Page } from '@playwright/test';
import { embeddings, openLibraryPage, type LibraryWindow } from './helpers/library-fixture.js';

const NAME = 'spec-chunks';
const ROWS = 2600; // chunks 0 and 1 full (sealed), chunk 2 holds the last 552
const DIM = (embeddings.image_embeds_raw[0] as number[]).length;
const REMOVED_ROWS = [0, 5, 1023, 1024, 1500, 2047, 2048, 2599];

interface PageRefs {
  /** Deterministic raw rows (row-major) and their ids, identical in every call. */
  rows(n: number, dim: number): { ids: string[]; data: Float32Array };
  /** Ids of all kept rows, best first for `query`, by float64 cosine over the raw rows. */
  reference(data: Float32Array, ids: string[], keep: Set<string>, query: Float32Array, dim: number): { id: string; cosine: number }[];
}

/** The helpers the page needs, defined inside it (page.evaluate cannot close over Node values). */
async function installRefs(page: Page): Promise<void> {
  await page.evaluate(() => {
    const refs: PageRefs = {
      rows(n, dim) {
        let s = 0x9e3779b9;
        const next = (): number => {
          s = (s + 0x6d2b79f5) >>> 0;
          let t = s;
          t = Math.imul(t ^ (t >>> 15), t | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
        const data = new Float32Array(n * dim);
        for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
        return { ids: Array.from({ length: n }, (_, i) => `row-${String(i).padStart(5, '0')}`), data };
      },
      reference(data, ids, keep, query, dim) {
        const qn = Math.sqrt(query.reduce((a, x) => a + x * x, 0));
        const out: { id: string; cosine: number }[] = [];
        ids.forEach((id, r) => {
          if (!keep.has(id)) return;
          let dot = 0;
          let nn = 0;
          for (let i = 0; i < dim; i++) {
            const x = data[r * dim + i] as number;
            dot += x * (query[i] as number);
            nn += x * x;
          }
          out.push({ id, cosine: dot / Math.sqrt(nn) / qn });
        });
        return out.sort((a, b) => b.cosine - a.cosine);
      },
    };
    (window as unknown as { refs: PageRefs }).refs = refs;
  });
}

/** What the page reports about the library: count, search vs reference, get, stored chunk kinds. */
async function inspect(page: Page, removed: number[]): Promise<{
  count: number; order: string[]; want: string[]; maxCosineDelta: number; getExact: boolean[]; chunkKinds: string[];
}> {
  return page.evaluate(async ({ NAME, ROWS, DIM, removed }) => {
    const w = window as unknown as LibraryWindow & { refs: PageRefs };
    const { ids, data } = w.refs.rows(ROWS, DIM);
    const gone = new Set(removed.map((r) => ids[r] as string));
    const keep = new Set(ids.filter((id) => !gone.has(id)));
    const lib = await w.siglip.openLibrary(NAME);
    const query = data.slice(1700 * DIM, 1701 * DIM).map((x, i) => x + (i % 3 === 0 ? 0.3 : -0.1));
    const hits = await lib.search(query, { k: 40 });
    const want = w.refs.reference(data, ids, keep, query, DIM).slice(0, 40);
    let maxCosineDelta = 0;
    hits.forEach((h, i) => (maxCosineDelta = Math.max(maxCosineDelta, Math.abs(h.similarity - (want[i]?.cosine ?? NaN)))));
    const getExact: boolean[] = [];
    for (const r of [1, 1022, 1025, 2046, 2049, 2598]) {
      const got = await lib.get(ids[r] as string);
      const raw = data.subarray(r * DIM, (r + 1) * DIM);
      getExact.push(!!got?.embedding && got.embedding.length === DIM && got.embedding.every((x, i) => Object.is(x, raw[i])));
    }
    const chunkKinds = await new Promise<string[]>((resolve, reject) => {
      const open = indexedDB.open(`siglip-web-library:${NAME}`);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const req = open.result.transaction('chunks').objectStore('chunks').getAll();
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          resolve((req.result as { chunk: number; data: unknown }[]).map((c) => `${c.chunk}:${c.data instanceof Blob ? 'Blob' : c.data instanceof ArrayBuffer ? 'ArrayBuffer' : typeof c.data}`));
          open.result.close();
        };
      };
    });
    return { count: await lib.count(), order: hits.map((h) => h.id), want: want.map((x) => x.id), maxCosineDelta, getExact, chunkKinds };
  }, { NAME, ROWS, DIM, removed });
}

/** The exported file's ids and rows. */
async function exported(page: Page): Promise<{ ids: string[]; rows: number[][] }> {
  const bytes = Buffer.from(await page.evaluate(async (NAME) => {
    const w = window as unknown as LibraryWindow;
    return Array.from(new Uint8Array(await (await (await w.siglip.openLibrary(NAME)).export()).arrayBuffer()));
  }, NAME));
  const headerSize = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerSize).toString('utf8')) as { __metadata__: { ids: string }; embeddings: { shape: [number, number]; data_offsets: [number, number] } };
  const [n, d] = header.embeddings.shape;
  const body = bytes.subarray(8 + headerSize + header.embeddings.data_offsets[0]);
  const rows = Array.from({ length: n }, (_, r) => Array.from({ length: d }, (_, i) => body.readFloatLE((r * d + i) * 4)));
  return { ids: JSON.parse(header.__metadata__.ids) as string[], rows };
}

test.describe('photo library across embedding chunks', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await openLibraryPage(page, NAME, { fresh: true });
    await installRefs(page);
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('an imported library of 2,600 rows reads back exactly: ranking, get, and sealed chunks as Blobs', async () => {
    const imported = await page.evaluate(async ({ NAME, ROWS, DIM }) => {
      const w = window as unknown as LibraryWindow & { refs: PageRefs };
      const { ids, data } = w.refs.rows(ROWS, DIM);
      const header = JSON.stringify({
        __metadata__: { format: 'siglip-web-library/1', model: 'spec', ids: JSON.stringify(ids), names: JSON.stringify(ids.map(() => null)) },
        embeddings: { dtype: 'F32', shape: [ROWS, DIM], data_offsets: [0, data.byteLength] },
      });
      const json = new TextEncoder().encode(header + ' '.repeat((8 - (header.length % 8)) % 8));
      const size = new DataView(new ArrayBuffer(8));
      size.setBigUint64(0, BigInt(json.length), true);
      return (await w.siglip.openLibrary(NAME)).import(new Blob([size.buffer, json, data]));
    }, { NAME, ROWS, DIM });
    expect(imported).toBe(ROWS);
    const r = await inspect(page, []);
    expect(r.count).toBe(ROWS);
    expect(r.order).toEqual(r.want);
    expect(r.maxCosineDelta).toBeLessThanOrEqual(1e-6);
    expect(r.getExact).toEqual([true, true, true, true, true, true]);
    expect(r.chunkKinds).toEqual(['0:Blob', '1:Blob', '2:ArrayBuffer']);
  });

  test('removing rows from sealed and open chunks, then a reload: exact count, ranking, get and export', async () => {
    const removedIds = await page.evaluate(async ({ NAME, ROWS, DIM, REMOVED_ROWS }) => {
      const w = window as unknown as LibraryWindow & { refs: PageRefs };
      const { ids } = w.refs.rows(ROWS, DIM);
      const gone = REMOVED_ROWS.map((r) => ids[r] as string);
      return (await w.siglip.openLibrary(NAME)).remove([...gone, gone[0] as string, 'not-stored']);
    }, { NAME, ROWS, DIM, REMOVED_ROWS });
    expect(removedIds).toBe(REMOVED_ROWS.length);
    const before = await inspect(page, REMOVED_ROWS);
    await page.reload();
    await openLibraryPage(page, NAME);
    await installRefs(page);
    const after = await inspect(page, REMOVED_ROWS);
    for (const r of [before, after]) {
      expect(r.count).toBe(ROWS - REMOVED_ROWS.length);
      expect(r.order).toEqual(r.want);
      expect(r.maxCosineDelta).toBeLessThanOrEqual(1e-6);
      expect(r.getExact).toEqual([true, true, true, true, true, true]);
      expect(r.chunkKinds).toEqual(['0:Blob', '1:Blob', '2:ArrayBuffer']);
    }
    const usage = await page.evaluate(async (NAME) => (await (window as unknown as LibraryWindow).siglip.openLibrary(NAME)).usage(), NAME);
    expect(usage.photos).toBe(ROWS - REMOVED_ROWS.length);
    // Rows, plus each id as UTF-16, plus the photo records.
    expect(usage.bytes).toBeGreaterThan(usage.photos * (DIM * 4 + 'row-00000'.length * 2));
    expect(usage.bytes).toBeLessThan(usage.photos * (DIM * 4 + 'row-00000'.length * 2 + 200));
    const file = await exported(page);
    const want = await page.evaluate(({ ROWS, DIM, REMOVED_ROWS }) => {
      const { ids, data } = (window as unknown as { refs: PageRefs }).refs.rows(ROWS, DIM);
      const kept = ids.map((_, r) => r).filter((r) => !REMOVED_ROWS.includes(r));
      return { ids: kept.map((r) => ids[r] as string), rows: kept.map((r) => Array.from(data.subarray(r * DIM, (r + 1) * DIM))) };
    }, { ROWS, DIM, REMOVED_ROWS });
    expect(file.ids).toEqual(want.ids);
    expect(file.rows).toEqual(want.rows);
  });

  test('photos added after a reload go after the imported rows, once each', async () => {
    const r = await page.evaluate(async ({ NAME, images }) => {
      const w = window as unknown as LibraryWindow;
      const lib = await w.siglip.openLibrary(NAME);
      const report = await lib.add(await w.photos(images));
      const again = await lib.add(await w.photos(images));
      const list = await lib.list({ offset: (await lib.count()) - images.length });
      return { added: report.added, skipped: again.skipped, count: await lib.count(), tail: list.map((p) => p.name) };
    }, { NAME, images: embeddings.images.slice(0, 3) });
    expect(r.added).toBe(3);
    expect(r.skipped).toBe(3);
    expect(r.count).toBe(ROWS - REMOVED_ROWS.length + 3);
    expect(r.tail).toEqual(embeddings.images.slice(0, 3).map((p) => p.split('/').pop()));
    const file = await exported(page);
    expect(file.ids.length).toBe(r.count);
    file.rows.slice(-3).forEach((row, i) => {
      const python = embeddings.image_embeds_raw[i] as number[];
      expect(Math.max(...row.map((x, j) => Math.abs(x - (python[j] as number))))).toBeLessThanOrEqual(1e-4);
    });
  });

  test('a library written before the photo count was kept in its meta record counts exactly, and keeps counting', async () => {
    const r = await page.evaluate(async ({ NAME, images }) => {
      const w = window as unknown as LibraryWindow;
      const meta = (mutate?: (m: Record<string, unknown>) => void): Promise<Record<string, unknown>> =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open(`siglip-web-library:${NAME}`);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('meta', mutate ? 'readwrite' : 'readonly');
            const get = tx.objectStore('meta').get('meta');
            get.onsuccess = () => {
              const m = get.result as Record<string, unknown>;
              if (mutate) {
                mutate(m);
                tx.objectStore('meta').put(m, 'meta');
              }
              tx.oncomplete = () => {
                open.result.close();
                resolve(m);
              };
            };
            tx.onerror = () => reject(tx.error);
          };
        });
      const lib = await w.siglip.openLibrary(NAME);
      const before = await lib.count();
      await meta((m) => delete m['count']); // as an earlier version wrote it
      const counted = await lib.count();
      const report = await lib.add(await w.photos(images));
      const after = await lib.count();
      const removed = await lib.remove(report.ids.slice(0, 1));
      return { before, counted, added: report.added, after, removed, final: await lib.count(), stored: (await meta())['count'], listed: (await lib.list()).length };
    }, { NAME, images: embeddings.images.slice(3, 6) });
    expect(r.counted).toBe(r.before);
    expect(r.added).toBe(3);
    expect(r.after).toBe(r.before + 3);
    expect(r.removed).toBe(1);
    expect(r.final).toBe(r.before + 2);
    expect(r.stored).toBe(r.final);
    expect(r.listed).toBe(r.final);
  });

  test('a Python file that lists one photo twice imports it once, with its first row', async () => {
    const r = await page.evaluate(async ({ DIM }) => {
      const w = window as unknown as LibraryWindow & { refs: PageRefs };
      const { data } = w.refs.rows(3, DIM);
      const ids = ['copy', 'other', 'copy'];
      const header = JSON.stringify({
        __metadata__: { format: 'siglip-web-library/1', model: 'spec', ids: JSON.stringify(ids), names: JSON.stringify(['a.jpg', 'b.jpg', 'a copy.jpg']) },
        embeddings: { dtype: 'F32', shape: [3, DIM], data_offsets: [0, data.byteLength] },
      });
      const json = new TextEncoder().encode(header + ' '.repeat((8 - (header.length % 8)) % 8));
      const size = new DataView(new ArrayBuffer(8));
      size.setBigUint64(0, BigInt(json.length), true);
      const lib = await w.siglip.openLibrary('spec-chunks-duplicates');
      await lib.clear();
      const imported = await lib.import(new Blob([size.buffer, json, data]));
      const copy = await lib.get('copy');
      return { imported, count: await lib.count(), name: copy?.name, firstRow: !!copy && copy.embedding.every((x, i) => Object.is(x, data[i])) };
    }, { DIM });
    expect(r).toEqual({ imported: 2, count: 2, name: 'a.jpg', firstRow: true });
  });
});
