/**
 * Demo thumbnail worker: for one photo file, its id (sha-256 of the bytes, hex — the library's default
 * id) and a small thumbnail (longest side THUMB_EDGE, EXIF orientation applied). Off the main thread
 * so adding 1,000 phone photos never blocks the page; one file at a time so memory stays flat.
 */
const THUMB_EDGE = 320;

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

async function thumbnail(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, THUMB_EDGE / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    let blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
    // Browsers without a WebP encoder silently answer PNG, which is much larger: use JPEG then.
    if (blob.type !== 'image/webp') blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    return { blob, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

self.onmessage = async ({ data: { seq, file } }) => {
  try {
    const id = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    try {
      const t = await thumbnail(file);
      self.postMessage({ seq, id, thumb: t.blob, width: t.width, height: t.height });
    } catch (err) {
      // Not decodable here: the library will report why (with its typed error); no thumbnail.
      self.postMessage({ seq, id, thumbError: err instanceof Error ? err.message : String(err) });
    }
  } catch (err) {
    self.postMessage({ seq, readError: err instanceof Error ? err.message : String(err) });
  }
};
