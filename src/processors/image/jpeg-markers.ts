/** SOI, TEM and RST0..7: JPEG markers without a length field (every header walk skips them). */
export function isStandaloneJpegMarker(marker: number): boolean {
  return marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}
