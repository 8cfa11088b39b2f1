// The photo zoo (test/fixtures/photo-zoo) through the drop-in build (global SiglipWeb), as a user
// would index it: Files -> lib.add -> lib.tag / lib.search. Also decodes every photo through the
// public SiglipImageProcessor to compare pixels with Python. Used by test/browser/photo-zoo.spec.ts.
/* global SiglipWeb */
(function () {
  const ZOO = new URL('../../fixtures/photo-zoo/', document.baseURI).href;
  const MODEL = new URL('../../fixtures/siglip-shapes/', document.baseURI).href;
  const TYPES = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp', avif: 'image/avif',
    ico: 'image/vnd.microsoft.icon', svg: 'image/svg+xml', heic: 'image/heic', tif: 'image/tiff', psd: 'image/vnd.adobe.photoshop' };
  // The model's normalisation without the resize: pixel values map 1:1 to RGB levels (v / 127.5 - 1).
  const NO_RESIZE = { do_resize: false, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };

  async function zoo() {
    return (await fetch(new URL('zoo.json', ZOO))).json();
  }

  /** Every zoo photo as a File (derived ones patched from their source, as make_zoo.py does). */
  async function files(photos) {
    const cache = new Map();
    const bytesOf = async (name) => {
      if (!cache.has(name)) cache.set(name, new Uint8Array(await (await fetch(new URL(`images/${name}`, ZOO))).arrayBuffer()));
      return cache.get(name);
    };
    const out = [];
    for (const p of photos) {
      let bytes;
      if (p.derived) {
        bytes = (await bytesOf(p.derived.from)).slice();
        bytes[p.derived.offset] = p.derived.value;
      } else {
        bytes = await bytesOf(p.file);
      }
      const ext = p.file.split('.').pop();
      out.push(new File([bytes], p.file, { type: TYPES[ext] ?? '', lastModified: 1_700_000_000_000 }));
    }
    return out;
  }

  async function hex(bytes) {
    return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const levels = (pv) => Uint8Array.from(pv, (v) => Math.round((v + 1) * 127.5));

  /** CHW levels -> HWC RGB bytes. */
  function hwc(lv, h, w) {
    const out = new Uint8Array(h * w * 3);
    const plane = h * w;
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = lv[c * plane + i];
    return out;
  }

  /** Per photo: decoded or the error; size, sha256 of RGB and of the 224 px pixel_values levels; levels vs expected PNG. */
  async function measurePixels(names) {
    const { photos } = await zoo();
    const chosen = names ? photos.filter((p) => names.includes(p.file)) : photos;
    const fs = await files(chosen);
    const model = await SiglipWeb.SiglipImageProcessor.fromPretrained(MODEL);
    const plain = await SiglipWeb.SiglipImageProcessor.fromPretrained(ZOO, { fetch: async () => new Response(JSON.stringify(NO_RESIZE)) });
    const out = [];
    for (let i = 0; i < chosen.length; i++) {
      const p = chosen[i];
      const r = { file: p.file };
      try {
        const resized = await model.process(fs[i]);
        r.levelsSha256 = await hex(levels(resized.pixelValues));
        if (!p.derived) {
          const full = await plain.process(fs[i]);
          const [, , h, w] = full.dims;
          r.width = w;
          r.height = h;
          const lv = levels(full.pixelValues);
          r.rgbSha256 = await hex(hwc(lv, h, w));
          if (p.expected_png) {
            const want = levels((await plain.process(new URL(p.expected_png, ZOO).href)).pixelValues);
            if (want.length !== lv.length) throw new Error(`size ${w}x${h} differs from Python's ${p.python.width}x${p.python.height}`);
            let max = 0;
            let sum = 0;
            for (let j = 0; j < lv.length; j++) {
              const d = Math.abs(lv[j] - want[j]);
              if (d > max) max = d;
              sum += d;
            }
            r.maxLevels = max;
            r.meanLevels = sum / lv.length;
          }
        }
      } catch (err) {
        r.error = { code: err && err.code, message: String(err && err.message ? err.message : err) };
      }
      out.push(r);
    }
    return out;
  }

  /** Indexes the whole zoo in a fresh library; tags every photo, searches every label. */
  async function indexZoo(libraryName) {
    const { photos, labels } = await zoo();
    const fs = await files(photos);
    const siglip = await SiglipWeb.createSiglip({ model: MODEL });
    try {
      const lib = await siglip.openLibrary(libraryName);
      await lib.clear();
      const report = await lib.add(fs);
      const tags = await lib.tag(labels, { template: '{label}' });
      const searches = [];
      for (const label of labels) searches.push((await lib.search(label, { template: false, k: photos.length })).map((h) => ({ name: h.name, score: h.score })));
      const names = {};
      for (const p of await lib.list()) names[p.id] = p.name;
      const byName = {};
      for (const [id, scores] of Object.entries(tags)) byName[names[id]] = scores;
      const embeddings = {};
      for (const id of report.ids) {
        if (!id) continue;
        const rec = await lib.get(id);
        if (rec && rec.embedding) embeddings[rec.name] = Array.from(rec.embedding);
      }
      return {
        added: report.added, skipped: report.skipped, ids: report.ids,
        failed: report.failed.map((f) => ({ name: f.name, code: f.error && f.error.code, message: f.error && f.error.message, isSiglipError: f.error instanceof SiglipWeb.SiglipError })),
        tags: byName, searches, embeddings, count: await lib.count(),
      };
    } finally {
      await siglip.dispose();
    }
  }

  window.photoZoo = { measurePixels, indexZoo };
  window.photoZooReady = true;
})();
