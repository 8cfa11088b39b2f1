/** SOI, TEM and RST0..7: JPEG markers without a length field (every header walk skips them). */
export function isStandaloneJpegMarker(marker: number): boolean {
  return marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/**
 * Offset of the JPEG's frame header (the SOFn marker: SOF0..SOF15 except DHT C4, JPG C8 and DAC
 * CC), or -1 when the headers end (SOS, EOI, a bad length) before one.
 */
export function jpegFrameAt(b: Uint8Array): number {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return -1;
    const marker = b[p + 1] as number;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (isStandaloneJpegMarker(marker)) {
      p += 2;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return p;
    const length = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
    if (marker === 0xda || marker === 0xd9 || length < 2) return -1;
    p += 2 + length;
  }
  return -1;
}
