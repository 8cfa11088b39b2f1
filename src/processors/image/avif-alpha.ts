/**
 * Browsers hand back AVIF pixels with alpha through a premultiplied canvas, which loses the RGB
 * under transparent pixels (and rounds the rest), while Pillow's convert("RGB") keeps the decoded
 * colour planes as they are. Hiding the alpha plane from the browser makes it decode the colour
 * item alone: the 'auxl' item reference that ties the alpha item to the colour item (and the
 * 'prem' one) is renamed in place, so no size or offset in the file changes and the alpha item
 * becomes an unreferenced item that decoders ignore.
 */

import { readBoxes } from './iso-boxes.js';

const HIDDEN_REFERENCE = [0x78, 0x61, 0x75, 0x78]; // "xaux": a reference type no decoder knows

/** A copy of the AVIF file whose alpha plane no decoder will find; the input itself when it has none. */
export function withoutAvifAlpha(bytes: Uint8Array): Uint8Array {
  const meta = readBoxes(bytes, 0, bytes.length).boxes.find((box) => box.type === 'meta');
  if (!meta) return bytes;
  // meta and iref are full boxes: 4 bytes of version and flags precede their children.
  const iref = readBoxes(bytes, meta.start + meta.headerSize + 4, meta.end).boxes.find((box) => box.type === 'iref');
  if (!iref) return bytes;
  const references = readBoxes(bytes, iref.start + iref.headerSize + 4, iref.end).boxes.filter((box) => box.type === 'auxl' || box.type === 'prem');
  if (references.length === 0) return bytes;
  const copy = bytes.slice();
  for (const ref of references) copy.set(HIDDEN_REFERENCE, ref.start + 4);
  return copy;
}
