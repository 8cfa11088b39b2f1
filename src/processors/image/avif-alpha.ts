/**
 * Browsers hand back AVIF pixels with alpha through a premultiplied canvas, which loses the RGB
 * under transparent pixels (and rounds the rest), while Pillow's convert("RGB") keeps the decoded
 * colour planes as they are. Hiding the alpha plane from the browser makes it decode the colour
 * item alone: the 'auxl' item reference that ties the alpha item to the colour item (and the
 * 'prem' one) is renamed in place, so no size or offset in the file changes and the alpha item
 * becomes an unreferenced item that decoders ignore.
 */

const HIDDEN_REFERENCE = [0x78, 0x61, 0x75, 0x78]; // "xaux": a reference type no decoder knows

interface Box {
  type: string;
  start: number;
  headerSize: number;
  end: number;
}

function readBoxes(b: Uint8Array, start: number, end: number): Box[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = view.getUint32(p);
    let headerSize = 8;
    if (size === 1) {
      if (p + 16 > end) break;
      size = view.getUint32(p + 8) * 2 ** 32 + view.getUint32(p + 12);
      headerSize = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < headerSize || p + size > end) break;
    out.push({ type: String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]), start: p, headerSize, end: p + size });
    p += size;
  }
  return out;
}

/** A copy of the AVIF file whose alpha plane no decoder will find; the input itself when it has none. */
export function withoutAvifAlpha(bytes: Uint8Array): Uint8Array {
  const meta = readBoxes(bytes, 0, bytes.length).find((box) => box.type === 'meta');
  if (!meta) return bytes;
  // meta and iref are full boxes: 4 bytes of version and flags precede their children.
  const iref = readBoxes(bytes, meta.start + meta.headerSize + 4, meta.end).find((box) => box.type === 'iref');
  if (!iref) return bytes;
  const references = readBoxes(bytes, iref.start + iref.headerSize + 4, iref.end).filter((box) => box.type === 'auxl' || box.type === 'prem');
  if (references.length === 0) return bytes;
  const copy = bytes.slice();
  for (const ref of references) copy.set(HIDDEN_REFERENCE, ref.start + 4);
  return copy;
}
