/**
 * Boxes as ISO base media files (AVIF, HEIF) and JP2 lay them out: a 32-bit size and a type, size
 * 1 meaning a 64-bit size follows, size 0 meaning "to the end".
 */
export interface IsoBox {
  readonly type: string;
  /** Offset of the box header. */
  readonly start: number;
  readonly headerSize: number;
  readonly end: number;
}

/** The boxes between `start` and `end`; `complete` is false when one runs past `end` (a truncated file). */
export function readBoxes(b: Uint8Array, start: number, end: number): { boxes: IsoBox[]; complete: boolean } {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const boxes: IsoBox[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = view.getUint32(p);
    let headerSize = 8;
    if (size === 1) {
      if (p + 16 > end) return { boxes, complete: false };
      size = view.getUint32(p + 8) * 2 ** 32 + view.getUint32(p + 12);
      headerSize = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < headerSize || p + size > end) return { boxes, complete: false };
    boxes.push({ type: String.fromCharCode(b[p + 4] as number, b[p + 5] as number, b[p + 6] as number, b[p + 7] as number), start: p, headerSize, end: p + size });
    p += size;
  }
  return { boxes, complete: true };
}
