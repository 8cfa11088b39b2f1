const SAMPLE_DIR = new URL('../../test/fixtures/reference/images/', import.meta.url);

export function isImageFile(file) {
  return file.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(file.name);
}

/** The shape pictures shipped with the repository's test fixtures, so the demo is useful offline. */
export async function loadSamplePhotos() {
  const res = await fetch(new URL('images.json', SAMPLE_DIR));
  if (!res.ok) throw new Error(`Sample list: HTTP ${res.status}`);
  const list = await res.json();
  const names = list.map((entry) => entry.file).filter((name) => name.startsWith('shape_'));
  return Promise.all(names.map(async (name) => {
    const r = await fetch(new URL(name, SAMPLE_DIR));
    if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
    const blob = await r.blob();
    return new File([blob], name, { type: blob.type });
  }));
}

/** Accepts drops of files and of whole folders (via the entries API). */
export async function filesFromDrop(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...dataTransfer.files];
  const files = [];
  const walk = async (entry) => {
    if (entry.isFile) files.push(await new Promise((ok, fail) => entry.file(ok, fail)));
    else if (entry.isDirectory) {
      const reader = entry.createReader();
      // readEntries returns at most ~100 entries per call: read until it returns nothing.
      for (;;) {
        const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  return files;
}
