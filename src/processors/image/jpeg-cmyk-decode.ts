/**
 * JPEG decoding the way Pillow gets it from libjpeg-turbo, for what browsers cannot give us:
 * four-component (CMYK / YCCK, "Adobe") JPEGs, whose CMYK->RGB browsers round their own way
 * (Chromium: 1 level off Pillow) without exposing the CMYK samples, and JPEGs the browser refuses
 * but Pillow decodes (a stray marker inside the scan: libjpeg goes on with zero bits, the rest
 * gray). Huffman baseline/extended/progressive with restart intervals, the "islow" integer IDCT
 * (jidctint.c; clamped like the SIMD version), libjpeg-turbo's fancy h2v1/h2v2/h1v2 upsampling and
 * replication for other integral factors, jdcolor.c's YCbCr->RGB and YCCK->CMYK tables, libjpeg's
 * default colour space rules; CMYK then goes through Pillow's "CMYK;I" raw mode (inverted, Adobe
 * polarity, assumed for every CMYK JPEG) and its cmyk2rgb conversion. Gray and YCbCr JPEGs decode
 * exactly as well (all such zoo JPEGs are checked), but the browser's decoder is faster for them.
 * Anything else (arithmetic coding, 12-bit, damaged data it cannot follow as libjpeg does) throws
 * a JpegUnsupported, and the caller uses the browser's decoder (or its error).
 */
import { isStandaloneJpegMarker, jpegFrameAt } from './jpeg-markers.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

export class JpegUnsupported extends Error {}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49,
  56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

interface Huffman {
  maxcode: Int32Array; // [17], -1 when no code of that length
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  quant: Int32Array | null; // latched at the component's first scan
  blocksPerLine: number;
  blocksPerColumn: number;
  coefs: Int32Array; // 64 per block, natural order
  pred: number;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1];
    if (n) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    // jpeg_make_d_derived_tbl: over-subscribed code lengths are a bad table.
    if (code > 2 ** l) throw new JpegUnsupported('bad Huffman table');
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values };
}

/** True for a JPEG whose frame has 4 components (CMYK or YCCK), read from the headers only. */
export function isFourComponentJpeg(b: Uint8Array): boolean {
  const p = jpegFrameAt(b);
  return p >= 0 && p + 9 < b.length && b[p + 9] === 4;
}

const DESCALE = (x: number, n: number): number => Math.floor((x + 2 ** (n - 1)) / 2 ** n);

/**
 * The post-IDCT clamp. libjpeg's C code indexes a range table with x & 1023 (values past ±512
 * wrap), but the SIMD islow IDCT that x86-64 and Arm builds of libjpeg-turbo run (Pillow's
 * wheels, Chromium) saturates; the two agree on every value a sane quantization table yields.
 */
function rangeLimit(x: number): number {
  const v = x + 128;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** jidctint.c jpeg_idct_islow: one block (natural order) to 8x8 samples at out[offset + y * stride + x]. */
function idctIslow(coef: Int32Array, base: number, q: Int32Array, out: Uint8Array, offset: number, stride: number, ws: Float64Array): void {
  for (let c = 0; c < 8; c++) {
    const i = base + c;
    if (coef[i + 8] === 0 && coef[i + 16] === 0 && coef[i + 24] === 0 && coef[i + 32] === 0 && coef[i + 40] === 0 && coef[i + 48] === 0 && coef[i + 56] === 0) {
      const dc = coef[i] * q[c] * 4;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    let z2 = coef[i + 16] * q[c + 16];
    let z3 = coef[i + 48] * q[c + 48];
    let z1 = (z2 + z3) * 4433;
    const t2 = z1 + z3 * -15137;
    const t3 = z1 + z2 * 6270;
    z2 = coef[i] * q[c];
    z3 = coef[i + 32] * q[c + 32];
    const t0 = (z2 + z3) * 8192;
    const t1 = (z2 - z3) * 8192;
    const t10 = t0 + t3;
    const t13 = t0 - t3;
    const t11 = t1 + t2;
    const t12 = t1 - t2;
    let o0 = coef[i + 56] * q[c + 56];
    let o1 = coef[i + 40] * q[c + 40];
    let o2 = coef[i + 24] * q[c + 24];
    let o3 = coef[i + 8] * q[c + 8];
    z1 = o0 + o3;
    z2 = o1 + o2;
    z3 = o0 + o2;
    let z4 = o1 + o3;
    const z5 = (z3 + z4) * 9633;
    o0 *= 2446;
    o1 *= 16819;
    o2 *= 25172;
    o3 *= 12299;
    z1 *= -7373;
    z2 *= -20995;
    z3 = z3 * -16069 + z5;
    z4 = z4 * -3196 + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;
    ws[c] = DESCALE(t10 + o3, 11);
    ws[56 + c] = DESCALE(t10 - o3, 11);
    ws[8 + c] = DESCALE(t11 + o2, 11);
    ws[48 + c] = DESCALE(t11 - o2, 11);
    ws[16 + c] = DESCALE(t12 + o1, 11);
    ws[40 + c] = DESCALE(t12 - o1, 11);
    ws[24 + c] = DESCALE(t13 + o0, 11);
    ws[32 + c] = DESCALE(t13 - o0, 11);
  }
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = offset + r * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const v = rangeLimit(DESCALE(ws[w], 5));
      for (let x = 0; x < 8; x++) out[o + x] = v;
      continue;
    }
    let z2 = ws[w + 2];
    let z3 = ws[w + 6];
    let z1 = (z2 + z3) * 4433;
    const t2 = z1 + z3 * -15137;
    const t3 = z1 + z2 * 6270;
    const t0 = (ws[w] + ws[w + 4]) * 8192;
    const t1 = (ws[w] - ws[w + 4]) * 8192;
    const t10 = t0 + t3;
    const t13 = t0 - t3;
    const t11 = t1 + t2;
    const t12 = t1 - t2;
    let o0 = ws[w + 7];
    let o1 = ws[w + 5];
    let o2 = ws[w + 3];
    let o3 = ws[w + 1];
    z1 = o0 + o3;
    z2 = o1 + o2;
    z3 = o0 + o2;
    let z4 = o1 + o3;
    const z5 = (z3 + z4) * 9633;
    o0 *= 2446;
    o1 *= 16819;
    o2 *= 25172;
    o3 *= 12299;
    z1 *= -7373;
    z2 *= -20995;
    z3 = z3 * -16069 + z5;
    z4 = z4 * -3196 + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;
    out[o] = rangeLimit(DESCALE(t10 + o3, 18));
    out[o + 7] = rangeLimit(DESCALE(t10 - o3, 18));
    out[o + 1] = rangeLimit(DESCALE(t11 + o2, 18));
    out[o + 6] = rangeLimit(DESCALE(t11 - o2, 18));
    out[o + 2] = rangeLimit(DESCALE(t12 + o1, 18));
    out[o + 5] = rangeLimit(DESCALE(t12 - o1, 18));
    out[o + 3] = rangeLimit(DESCALE(t13 + o0, 18));
    out[o + 4] = rangeLimit(DESCALE(t13 - o0, 18));
  }
}

class BitReader {
  private bits = 0;
  private count = 0;
  /** Set when a marker cut the entropy data short (libjpeg's insufficient_data): zero bits follow. */
  insufficient = false;
  /** Where that marker starts. */
  markerAt = -1;
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
    private readonly tolerant: boolean,
  ) {}
  bit(): number {
    if (this.count === 0) {
      if (this.insufficient) return 0;
      if (this.pos >= this.b.length) throw new JpegUnsupported('entropy data ends early');
      const byte = this.b[this.pos];
      if (byte === 0xff) {
        const next = this.b[this.pos + 1];
        if (next !== 0) {
          if (!this.tolerant) throw new JpegUnsupported(`marker ${next?.toString(16)} inside entropy data`);
          // libjpeg: warn once, then feed zero bits (the marker stays unread).
          this.insufficient = true;
          this.markerAt = this.pos;
          return 0;
        }
        this.pos += 2;
      } else {
        this.pos++;
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }
  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }
  extend(n: number): number {
    if (n === 0) return 0;
    const v = this.receive(n);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }
  decode(h: Huffman | undefined): number {
    if (!h) throw new JpegUnsupported('missing Huffman table');
    let code = this.bit();
    let l = 1;
    while (code > h.maxcode[l]) {
      code = (code << 1) | this.bit();
      l++;
    }
    if (l > 16) throw new JpegUnsupported('bad Huffman code');
    return h.values[h.valptr[l] + code - h.mincode[l]];
  }
  /** Byte-aligns and consumes an RSTn marker. */
  restart(): void {
    this.count = 0;
    while (this.pos < this.b.length && this.b[this.pos] === 0xff && this.b[this.pos + 1] === 0xff) this.pos++;
    if (this.b[this.pos] !== 0xff || !(this.b[this.pos + 1] >= 0xd0 && this.b[this.pos + 1] <= 0xd7)) throw new JpegUnsupported('missing restart marker');
    this.pos += 2;
  }
}

/** Pillow's RGB of a 4-component JPEG (before EXIF orientation). */
export function decodeCmykJpeg(b: Uint8Array, label = 'image'): RgbImage {
  return decodeJpegLikePillow(b, label, { components: [4], tolerateMarkerInScan: true });
}

/**
 * Pillow's RGB of a gray, YCbCr/RGB or CMYK/YCCK JPEG (before EXIF orientation). `colour` sets
 * what libjpeg would guess for three components (libtiff decides it from the TIFF's photometric). With
 * `tolerateMarkerInScan`, a marker inside the entropy data of a single-scan baseline image is
 * handled as libjpeg does when Pillow reads it: the current MCU continues on zero bits, the rest
 * of the image stays all-zero coefficients (flat gray), and the stray marker is never parsed.
 */
export function decodeJpegLikePillow(
  b: Uint8Array,
  label: string,
  opts: { components: number[]; tolerateMarkerInScan: boolean; colour?: 'ycbcr' | 'as-stored' },
): RgbImage {
  const qt: (Int32Array | undefined)[] = [];
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let comps: Component[] = [];
  let width = 0;
  let height = 0;
  let progressive = false;
  let restartInterval = 0;
  let adobe: number | null = null;
  let jfif = false;
  let lastMarkerAt = -1;
  let stopped = false;
  let hmax = 1;
  let vmax = 1;
  let mcusX = 0;
  let mcusY = 0;
  let sawEoi = false;
  let p = 2;
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  while (p + 2 <= b.length && !sawEoi) {
    if (b[p] !== 0xff) throw new JpegUnsupported('bad marker');
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (isStandaloneJpegMarker(marker)) {
      p += 2;
      continue;
    }
    if (marker === 0xd9) {
      sawEoi = true;
      break;
    }
    if (p + 4 > b.length) throw new JpegUnsupported('truncated segment');
    const length = u16(p + 2);
    const d = p + 4;
    const end = p + 2 + length;
    if (end > b.length) throw new JpegUnsupported('truncated segment');
    if (marker === 0xdb) {
      for (let o = d; o < end; ) {
        const pq = b[o] >> 4;
        const tq = b[o] & 15;
        if (pq > 1 || tq > 3 || o + 1 + 64 * (pq + 1) > end) throw new JpegUnsupported('bad DQT');
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]] = pq ? u16(o + 1 + 2 * k) : b[o + 1 + k];
        qt[tq] = table;
        o += 1 + 64 * (pq ? 2 : 1);
      }
    } else if (marker === 0xc4) {
      for (let o = d; o < end; ) {
        const tc = b[o] >> 4;
        const th = b[o] & 15;
        const counts = b.subarray(o + 1, o + 17);
        let n = 0;
        for (let i = 0; i < 16; i++) n += counts[i];
        if (b[o] >> 4 > 1 || th > 3 || n > 256 || o + 17 + n > end) throw new JpegUnsupported('bad DHT');
        const table = buildHuffman(counts, b.slice(o + 17, o + 17 + n));
        if (tc === 0 && table.values.some((v) => v > 15)) throw new JpegUnsupported('bad DC Huffman table');
        if (tc === 0) dcTables[th] = table;
        else acTables[th] = table;
        o += 17 + n;
      }
    } else if (marker === 0xdd) {
      restartInterval = u16(d);
    } else if (marker === 0xe0) {
      if (length >= 7 && b[d] === 0x4a && b[d + 1] === 0x46 && b[d + 2] === 0x49 && b[d + 3] === 0x46 && b[d + 4] === 0) jfif = true;
    } else if (marker === 0xee) {
      if (length >= 14 && b[d] === 0x41 && b[d + 1] === 0x64 && b[d + 2] === 0x6f && b[d + 3] === 0x62 && b[d + 4] === 0x65) adobe = b[d + 11];
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      progressive = marker === 0xc2;
      if (b[d] !== 8) throw new JpegUnsupported(`${b[d]}-bit samples`);
      height = u16(d + 1);
      width = u16(d + 3);
      const nf = b[d + 5];
      if (!opts.components.includes(nf)) throw new JpegUnsupported(`${nf} components`);
      checkImageSize(width, height, label);
      comps = [];
      for (let i = 0; i < nf; i++) {
        const o = d + 6 + 3 * i;
        comps.push({ id: b[o], h: b[o + 1] >> 4, v: b[o + 1] & 15, tq: b[o + 2], quant: null, blocksPerLine: 0, blocksPerColumn: 0, coefs: new Int32Array(0), pred: 0 });
      }
      hmax = Math.max(...comps.map((c) => c.h));
      vmax = Math.max(...comps.map((c) => c.v));
      if (comps.some((c) => c.h < 1 || c.v < 1 || c.h > 4 || c.v > 4)) throw new JpegUnsupported('sampling factors');
      mcusX = Math.ceil(width / (8 * hmax));
      mcusY = Math.ceil(height / (8 * vmax));
      for (const c of comps) {
        c.blocksPerLine = mcusX * c.h;
        c.blocksPerColumn = mcusY * c.v;
        c.coefs = new Int32Array(c.blocksPerLine * c.blocksPerColumn * 64);
      }
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new JpegUnsupported(`frame type ${marker.toString(16)} (lossless, hierarchical or arithmetic)`);
    } else if (!((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe || marker === 0xcc || marker === 0xdc || marker === 0xda)) {
      // libjpeg's read_markers fails on anything else (JERR_UNKNOWN_MARKER).
      throw new JpegUnsupported(`marker ${marker.toString(16)}`);
    } else if (marker === 0xda) {
      if (comps.length === 0) throw new JpegUnsupported('scan before frame');
      const ns = b[d];
      const scan: { c: Component; dc: Huffman | undefined; ac: Huffman | undefined }[] = [];
      for (let i = 0; i < ns; i++) {
        const id = b[d + 1 + 2 * i];
        const c = comps.find((x) => x.id === id);
        if (!c) throw new JpegUnsupported('scan component');
        if (!c.quant) {
          const q = qt[c.tq];
          if (!q) throw new JpegUnsupported('missing quantization table');
          c.quant = q.slice();
        }
        scan.push({ c, dc: dcTables[b[d + 2 + 2 * i] >> 4], ac: acTables[b[d + 2 + 2 * i] & 15] });
      }
      const o = d + 1 + 2 * ns;
      const ss = b[o];
      const se = b[o + 1];
      const ah = b[o + 2] >> 4;
      const al = b[o + 2] & 15;
      lastMarkerAt = -1;
      const next = decodeScan(b, end, scan, { progressive, ss, se, ah, al, restartInterval, mcusX, mcusY, hmax, vmax, width, height }, opts.tolerateMarkerInScan);
      if (next < 0) {
        lastMarkerAt = -2 - next;
        // Data cut short by a stray marker: Pillow gets its scanlines from this scan and stops,
        // which only yields the image when this one baseline scan carried every component.
        if (progressive || restartInterval || scan.length !== comps.length || comps.some((c) => c.quant === null)) throw new JpegUnsupported('marker inside entropy data');
        // Pillow then calls jpeg_finish_decompress, which reads the markers that follow: a kind
        // libjpeg does not accept there makes the whole load fail.
        if (!markersAfterScanOk(b, lastMarkerAt)) throw new JpegUnsupported('stray marker libjpeg rejects');
        stopped = true;
        break;
      }
      p = next;
      continue;
    }
    p = end;
  }
  if (comps.length === 0 || comps.some((c) => !c.quant)) throw new JpegUnsupported('no complete frame');
  // libjpeg reads to EOI (Pillow: "image file is truncated" otherwise), unless a stray marker ended it.
  if (!stopped && !sawEoi) throw new JpegUnsupported('no EOI');
  // IDCT, crop to the downsampled size, upsample to full size.
  const planes: Uint8Array[] = [];
  const ws = new Float64Array(64);
  for (const c of comps) {
    const stride = c.blocksPerLine * 8;
    const plane = new Uint8Array(stride * c.blocksPerColumn * 8);
    for (let by = 0; by < c.blocksPerColumn; by++) {
      for (let bx = 0; bx < c.blocksPerLine; bx++) {
        idctIslow(c.coefs, (by * c.blocksPerLine + bx) * 64, c.quant as Int32Array, plane, by * 8 * stride + bx * 8, stride, ws);
      }
    }
    planes.push(upsample(plane, stride, c, hmax, vmax, width, height));
  }
  if (comps.length === 4) return cmykToRgb(planes, width, height, adobe !== null && adobe !== 0);
  if (comps.length === 1) {
    const out = new Uint8Array(width * height * 3);
    const g = planes[0] as Uint8Array;
    for (let i = 0, q = 0; i < g.length; i++, q += 3) out[q] = out[q + 1] = out[q + 2] = g[i];
    return { data: out, width, height };
  }
  // libjpeg-turbo's default colour space for 3 components (jdapimin.c default_decompress_parms).
  const ids = comps.map((c) => c.id).join(',');
  const rgb = opts.colour ? opts.colour === 'as-stored' : jfif ? false : adobe !== null ? adobe === 0 : ids === '82,71,66';
  return rgb ? interleave(planes, width, height) : yccToRgb(planes, width, height);
}

/**
 * libjpeg's read_markers after a scan cut short by a stray marker at `p`, as jpeg_finish_decompress
 * runs it for Pillow: EOI or running out of data is fine; APPn, COM, DNL and DAC are skipped;
 * DQT, DHT and DRI must parse; RSTn/TEM are ignored; SOI, SOF, SOS and unknown markers are errors.
 * Between markers, bytes are skipped up to the next FF xx (xx not 00), as next_marker does.
 */
function markersAfterScanOk(b: Uint8Array, p: number): boolean {
  for (;;) {
    // next_marker
    while (p < b.length && b[p] !== 0xff) p++;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) return true; // suspension: Pillow already has every row
    const m = b[p];
    p++;
    if (m === 0x00) continue;
    if (m === 0xd9) return true;
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) continue;
    if (m === 0xd8 || m === 0xda || (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xcc)) return false;
    const known = (m >= 0xe0 && m <= 0xef) || m === 0xfe || m === 0xdc || m === 0xcc || m === 0xdb || m === 0xc4 || m === 0xdd;
    if (!known) return false;
    if (p + 2 > b.length) return true;
    const length = (b[p] << 8) | b[p + 1];
    if (m === 0xdb || m === 0xc4 || m === 0xdd) {
      if (length < 2) return false;
      if (p + length > b.length) return true;
      const d = b.subarray(p + 2, p + length);
      if (m === 0xdd && length !== 4) return false;
      if (m === 0xdb) {
        for (let o = 0; o < d.length; ) {
          const pq = d[o] >> 4;
          if (pq > 1 || (d[o] & 15) > 3) return false;
          o += 1 + 64 * (pq + 1);
          if (o > d.length) return false;
        }
      }
      if (m === 0xc4) {
        for (let o = 0; o < d.length; ) {
          if (d[o] >> 4 > 1 || (d[o] & 15) > 3 || o + 17 > d.length) return false;
          let n = 0;
          for (let i = 1; i <= 16; i++) n += d[o + i];
          if (n > 256) return false;
          o += 17 + n;
          if (o > d.length) return false;
        }
      }
    }
    p += Math.max(2, length); // skip_variable: a length below 2 skips nothing more
  }
}

interface ScanParams {
  progressive: boolean;
  ss: number;
  se: number;
  ah: number;
  al: number;
  restartInterval: number;
  mcusX: number;
  mcusY: number;
  hmax: number;
  vmax: number;
  width: number;
  height: number;
}

/** Decodes one scan's entropy data into the components' coefficients; returns the offset of the next marker. */
function decodeScan(b: Uint8Array, start: number, scan: { c: Component; dc: Huffman | undefined; ac: Huffman | undefined }[], s: ScanParams, tolerant: boolean): number {
  const r = new BitReader(b, start, tolerant);
  let eobrun = 0;
  for (const x of scan) x.c.pred = 0;
  const decodeBlock = (x: { c: Component; dc: Huffman | undefined; ac: Huffman | undefined }, blk: number): void => {
    const co = x.c.coefs;
    const base = blk * 64;
    if (!s.progressive) {
      const t = r.decode(x.dc);
      x.c.pred += r.extend(t);
      co[base] = x.c.pred;
      for (let k = 1; k < 64; ) {
        const rs = r.decode(x.ac);
        const size = rs & 15;
        const run = rs >> 4;
        if (size === 0) {
          if (run < 15) break;
          k += 16;
          continue;
        }
        k += run;
        if (k > 63) throw new JpegUnsupported('coefficient index');
        co[base + ZIGZAG[k]] = r.extend(size);
        k++;
      }
      return;
    }
    if (s.ss === 0) {
      if (s.ah === 0) {
        const t = r.decode(x.dc);
        x.c.pred += r.extend(t);
        co[base] = x.c.pred * (1 << s.al);
      } else if (r.bit()) {
        co[base] |= 1 << s.al;
      }
      return;
    }
    if (s.ah === 0) {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      for (let k = s.ss; k <= s.se; ) {
        const rs = r.decode(x.ac);
        const size = rs & 15;
        const run = rs >> 4;
        if (size === 0) {
          if (run < 15) {
            eobrun = (1 << run) - 1 + r.receive(run);
            break;
          }
          k += 16;
          continue;
        }
        k += run;
        if (k > 63) throw new JpegUnsupported('coefficient index');
        co[base + ZIGZAG[k]] = r.extend(size) * (1 << s.al);
        k++;
      }
      return;
    }
    // AC refinement (jdphuff.c decode_mcu_AC_refine).
    const p1 = 1 << s.al;
    const m1 = -1 << s.al;
    let k = s.ss;
    if (eobrun === 0) {
      for (; k <= s.se; k++) {
        const rs = r.decode(x.ac);
        let run = rs >> 4;
        let value = rs & 15;
        if (value) {
          if (value !== 1) throw new JpegUnsupported('bad refinement');
          value = r.bit() ? p1 : m1;
        } else if (run !== 15) {
          eobrun = (1 << run) + (run ? r.receive(run) : 0);
          break;
        }
        do {
          const pos = base + ZIGZAG[k];
          const coef = co[pos];
          if (coef !== 0) {
            if (r.bit() && (coef & p1) === 0) co[pos] = coef >= 0 ? coef + p1 : coef + m1;
          } else if (--run < 0) {
            break;
          }
          k++;
        } while (k <= s.se);
        if (value) {
          if (k > 63) throw new JpegUnsupported('coefficient index');
          co[base + ZIGZAG[k]] = value;
        }
      }
    }
    if (eobrun > 0) {
      for (; k <= s.se; k++) {
        const pos = base + ZIGZAG[k];
        const coef = co[pos];
        if (coef !== 0 && r.bit() && (coef & p1) === 0) co[pos] = coef >= 0 ? coef + p1 : coef + m1;
      }
      eobrun--;
    }
  };
  const single = scan.length === 1;
  const c0 = scan[0].c;
  // A single-component scan covers only that component's real blocks, not the MCU padding.
  const cols = single ? Math.ceil(Math.ceil((s.width * c0.h) / s.hmax) / 8) : s.mcusX;
  const rows = single ? Math.ceil(Math.ceil((s.height * c0.v) / s.vmax) / 8) : s.mcusY;
  const total = cols * rows;
  for (let m = 0; m < total; m++) {
    if (s.restartInterval && m > 0 && m % s.restartInterval === 0) {
      r.restart();
      eobrun = 0;
      for (const x of scan) x.c.pred = 0;
    }
    // libjpeg leaves every MCU after the one that ran out of data all zeros.
    if (r.insufficient) return -2 - r.markerAt;
    const mx = m % cols;
    const my = (m - mx) / cols;
    if (single) {
      decodeBlock(scan[0], my * c0.blocksPerLine + mx);
    } else {
      for (const x of scan) {
        for (let v = 0; v < x.c.v; v++) {
          for (let h = 0; h < x.c.h; h++) decodeBlock(x, (my * x.c.v + v) * x.c.blocksPerLine + mx * x.c.h + h);
        }
      }
    }
  }
  if (r.insufficient) return -2 - r.markerAt;
  // The scan must end at a marker (libjpeg would fill missing data with zeros: leave that to the browser).
  let q = r.pos;
  while (q + 1 < b.length && !(b[q] === 0xff && b[q + 1] !== 0 && !(b[q + 1] >= 0xd0 && b[q + 1] <= 0xd7))) q++;
  if (q + 1 >= b.length) throw new JpegUnsupported('no marker after the scan');
  return q;
}

/** One component plane (block-padded, `stride` wide) to full size, as libjpeg-turbo's upsampler does. */
function upsample(plane: Uint8Array, stride: number, c: Component, hmax: number, vmax: number, width: number, height: number): Uint8Array {
  const dw = Math.ceil((width * c.h) / hmax);
  const dh = Math.ceil((height * c.v) / vmax);
  const hr = hmax / c.h;
  const vr = vmax / c.v;
  if (!Number.isInteger(hr) || !Number.isInteger(vr)) throw new JpegUnsupported('non-integral sampling ratio');
  const out = new Uint8Array(width * height);
  const at = (x: number, y: number): number => plane[y * stride + x];
  if (hr === 1 && vr === 1) {
    for (let y = 0; y < height; y++) out.set(plane.subarray(y * stride, y * stride + width), y * width);
    return out;
  }
  const fancy = dw > 2;
  if (fancy && hr === 2 && vr === 1) {
    const row = new Uint8Array(dw * 2);
    for (let y = 0; y < height; y++) {
      row[0] = at(0, y);
      row[1] = (at(0, y) * 3 + at(1, y) + 2) >> 2;
      for (let x = 1; x < dw - 1; x++) {
        const v = at(x, y) * 3;
        row[2 * x] = (v + at(x - 1, y) + 1) >> 2;
        row[2 * x + 1] = (v + at(x + 1, y) + 2) >> 2;
      }
      const last = dw - 1;
      row[2 * last] = (at(last, y) * 3 + at(last - 1, y) + 1) >> 2;
      row[2 * last + 1] = at(last, y);
      out.set(row.subarray(0, width), y * width);
    }
    return out;
  }
  if (fancy && hr === 2 && vr === 2) {
    const row = new Uint8Array(dw * 2);
    for (let oy = 0; oy < height; oy++) {
      const iy = oy >> 1;
      // Context row: above for even output rows, below for odd ones; edges repeat the real rows.
      const ny = oy & 1 ? Math.min(iy + 1, dh - 1) : Math.max(iy - 1, 0);
      const colsum = (x: number): number => at(x, iy) * 3 + at(x, ny);
      let thiscol = colsum(0);
      let nextcol = colsum(1);
      row[0] = (thiscol * 4 + 8) >> 4;
      row[1] = (thiscol * 3 + nextcol + 7) >> 4;
      let lastcol = thiscol;
      thiscol = nextcol;
      for (let x = 1; x < dw - 1; x++) {
        nextcol = colsum(x + 1);
        row[2 * x] = (thiscol * 3 + lastcol + 8) >> 4;
        row[2 * x + 1] = (thiscol * 3 + nextcol + 7) >> 4;
        lastcol = thiscol;
        thiscol = nextcol;
      }
      row[2 * (dw - 1)] = (thiscol * 3 + lastcol + 8) >> 4;
      row[2 * (dw - 1) + 1] = (thiscol * 4 + 7) >> 4;
      out.set(row.subarray(0, width), oy * width);
    }
    return out;
  }
  if (hr === 1 && vr === 2) {
    // h1v2_fancy_upsample: 3/4 nearer row + 1/4 further row, bias 1 above and 2 below.
    for (let oy = 0; oy < height; oy++) {
      const iy = oy >> 1;
      const ny = oy & 1 ? Math.min(iy + 1, dh - 1) : Math.max(iy - 1, 0);
      const bias = oy & 1 ? 2 : 1;
      for (let x = 0; x < width; x++) out[oy * width + x] = (at(x, iy) * 3 + at(x, ny) + bias) >> 2;
    }
    return out;
  }
  // Plain replication (int_upsample, and h2v1/h2v2 when the component is at most 2 samples wide).
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / vr);
    for (let x = 0; x < width; x++) out[y * width + x] = at(Math.floor(x / hr), sy);
  }
  return out;
}

function interleave(planes: Uint8Array[], width: number, height: number): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const [r, g, bl] = planes as [Uint8Array, Uint8Array, Uint8Array];
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    out[o] = r[i];
    out[o + 1] = g[i];
    out[o + 2] = bl[i];
  }
  return { data: out, width, height };
}

/** jdcolor.c ycc_rgb_convert with its fixed-point tables (SCALEBITS 16). */
/** libjpeg's build_ycc_rgb_table (jdcolor.c), shared by YCbCr→RGB and YCCK→CMYK. */
interface YccTables {
  readonly crR: Int32Array;
  readonly cbB: Int32Array;
  readonly crG: Float64Array;
  readonly cbG: Float64Array;
}

function yccTables(): YccTables {
  const t = { crR: new Int32Array(256), cbB: new Int32Array(256), crG: new Float64Array(256), cbG: new Float64Array(256) };
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    t.crR[i] = Math.floor((91881 * x + 32768) / 65536);
    t.cbB[i] = Math.floor((116130 * x + 32768) / 65536);
    t.crG[i] = -46802 * x;
    t.cbG[i] = -22554 * x + 32768;
  }
  return t;
}

function yccToRgb(planes: Uint8Array[], width: number, height: number): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const [py, pcb, pcr] = planes as [Uint8Array, Uint8Array, Uint8Array];
  const { crR, cbB, crG, cbG } = yccTables();
  const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    const y = py[i];
    const cb = pcb[i];
    const cr = pcr[i];
    out[o] = clamp(y + crR[cr]);
    out[o + 1] = clamp(y + Math.floor((cbG[cb] + crG[cr]) / 65536));
    out[o + 2] = clamp(y + cbB[cb]);
  }
  return { data: out, width, height };
}

/** jdcolor.c ycck_cmyk_convert (optional), then Pillow's "CMYK;I" raw mode and cmyk2rgb. */
function cmykToRgb(planes: Uint8Array[], width: number, height: number, ycck: boolean): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const [p0, p1, p2, p3] = planes as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  const muldiv255 = (a: number, bb: number): number => {
    const t = a * bb + 128;
    return ((t >> 8) + t) >> 8;
  };
  const ycc = ycck ? yccTables() : null;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    let c = p0[i];
    let m = p1[i];
    let y = p2[i];
    const k = p3[i];
    if (ycc) {
      const lum = p0[i];
      const cb = p1[i];
      const cr = p2[i];
      c = clamp(255 - (lum + ycc.crR[cr]));
      m = clamp(255 - (lum + Math.floor((ycc.cbG[cb] + ycc.crG[cr]) / 65536)));
      y = clamp(255 - (lum + ycc.cbB[cb]));
    }
    // "CMYK;I": Pillow inverts the stored values (Adobe polarity), then cmyk2rgb with nk = 255 - K.
    const nk = k;
    out[o] = clamp(nk - muldiv255(255 - c, nk));
    out[o + 1] = clamp(nk - muldiv255(255 - m, nk));
    out[o + 2] = clamp(nk - muldiv255(255 - y, nk));
  }
  return { data: out, width, height };
}
