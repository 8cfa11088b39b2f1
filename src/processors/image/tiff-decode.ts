/**
 * TIFF decoding that follows Pillow's TiffImagePlugin for `load_image` (open, exif_transpose,
 * convert("RGB")): first page (IFD0) only, little and big endian, strips and tiles, planar
 * configuration 1 and 2. The pixel layouts are Pillow's OPEN_INFO table (anything else is refused
 * as Pillow refuses it). Like Pillow, uncompressed files are read with Pillow's own "raw" tile
 * logic (StripByteCounts ignored, only the bytes the rows need must be present) and compressed
 * ones the way libtiff reads them (LZW, Deflate, PackBits; horizontal predictor; every strip or
 * tile must lie inside the file and decompress to its full size). JPEG-in-TIFF, YCbCr, LAB,
 * 12-bit, FillOrder 2 with compression and the floating-point predictor are refused with a clear
 * IMAGE_DECODE error. The Orientation tag of IFD0 is applied as Pillow does.
 *
 * Conversions to RGB are Pillow's: 16-bit samples keep their high byte, 16/32-bit gray and float
 * are clipped to 0..255 (float truncated), MinIsWhite inverts 1/2/4/8-bit gray (not 16-bit),
 * associated alpha is un-premultiplied (v * 255 / a, truncated), other alpha is dropped, CMYK uses
 * Pillow's cmyk2rgb, 16-bit ColorMap entries are divided by 256.
 */
import { SiglipError } from '../../errors.js';
import { applyExifOrientation } from './exif-orientation.js';
import { decodeJpegLikePillow } from './jpeg-cmyk-decode.js';
import { inflateZlib } from './inflate.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

function tiffError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: TIFF ${message}`);
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

interface Ifd {
  little: boolean;
  /** Whether every directory entry lies inside the file (libtiff refuses the file otherwise). */
  complete: boolean;
  /** Tag values as numbers (rationals as a quotient); absent tags and values outside the file are missing, as in Pillow. */
  get(tag: number): number[] | undefined;
  /** The same as libtiff sees it: only the tags whose values lie outside the file are missing. */
  getLibtiff(tag: number): number[] | undefined;
}

function readIfd0(b: Uint8Array, label: string): Ifd {
  if (b.length < 8) throw tiffError(label, 'header is truncated');
  const little = b[0] === 0x49;
  if (!((little && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (!little && b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42))) {
    throw tiffError(label, 'signature is missing (expected II*\\0 or MM\\0*; BigTIFF is not supported)');
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > b.length) throw tiffError(label, 'is truncated (the first image directory lies past the end of the file)');
  const count = view.getUint16(ifd, little);
  // Pillow reads entries in order and stops (keeping what it has) at the first entry or value
  // that runs past the end of the file; libtiff, used for compressed files, needs every entry.
  const complete = ifd + 2 + count * 12 <= b.length;
  const tags = new Map<number, number[]>();
  const libtiffTags = new Map<number, number[]>();
  let pillowStopped = false;
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > b.length) break;
    const tag = view.getUint16(e, little);
    const type = view.getUint16(e + 2, little);
    const n = view.getUint32(e + 4, little);
    const size = TYPE_SIZES[type];
    if (!size) continue;
    const total = size * n;
    const at = total <= 4 ? e + 8 : view.getUint32(e + 8, little);
    if (at + total > b.length) {
      pillowStopped = true;
      continue;
    }
    if (n === 0) continue;
    const values: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = at + k * size;
      switch (type) {
        case 1: case 2: case 7: values.push(view.getUint8(p)); break;
        case 6: values.push(view.getInt8(p)); break;
        case 3: values.push(view.getUint16(p, little)); break;
        case 8: values.push(view.getInt16(p, little)); break;
        case 4: case 13: values.push(view.getUint32(p, little)); break;
        case 9: values.push(view.getInt32(p, little)); break;
        case 5: values.push(view.getUint32(p, little) / view.getUint32(p + 4, little)); break;
        case 10: values.push(view.getInt32(p, little) / view.getInt32(p + 4, little)); break;
        case 11: values.push(view.getFloat32(p, little)); break;
        case 12: values.push(view.getFloat64(p, little)); break;
        default: values.push(Number(view.getBigUint64(p, little)));
      }
    }
    if (!pillowStopped) tags.set(tag, values);
    libtiffTags.set(tag, values);
  }
  return { little, complete, get: (tag) => tags.get(tag), getLibtiff: (tag) => libtiffTags.get(tag) };
}

/** Width and height from IFD0, or null when the header is unreadable (for the size check before decoding). */
export function readTiffSize(bytes: Uint8Array): { width: number; height: number } | null {
  try {
    const ifd = readIfd0(bytes, 'image');
    const w = ifd.get(256)?.[0];
    const h = ifd.get(257)?.[0];
    return w !== undefined && h !== undefined ? { width: w, height: h } : null;
  } catch {
    return null;
  }
}

// Pillow's OPEN_INFO: "photometric|sampleformat|fillorder|bps|extra" -> [mode, rawmode]; keys
// starting with "II:" or "MM:" exist for that byte order only.
const OPEN_INFO = new Map<string, [string, string]>();
function info(key: string, mode: string, rawmode: string): void {
  if (key.startsWith('II:') || key.startsWith('MM:')) OPEN_INFO.set(key, [mode, rawmode]);
  else {
    OPEN_INFO.set(`II:${key}`, [mode, rawmode]);
    OPEN_INFO.set(`MM:${key}`, [mode, rawmode]);
  }
}
for (const [fill, r] of [[1, ''], [2, 'R']] as const) {
  info(`0|1|${fill}|1|`, '1', `1;I${r}`);
  info(`1|1|${fill}|1|`, '1', r ? '1;R' : '1');
  for (const bits of [2, 4]) {
    info(`0|1|${fill}|${bits}|`, 'L', `L;${bits}I${r}`);
    info(`1|1|${fill}|${bits}|`, 'L', `L;${bits}${r}`);
    info(`3|1|${fill}|${bits}|`, 'P', `P;${bits}${r}`);
  }
  info(`0|1|${fill}|8|`, 'L', `L;I${r}`);
  info(`1|1|${fill}|8|`, 'L', r ? 'L;R' : 'L');
  info(`2|1|${fill}|8,8,8|`, 'RGB', r ? 'RGB;R' : 'RGB');
  info(`3|1|${fill}|1|`, 'P', `P;1${r}`);
  info(`3|1|${fill}|8|`, 'P', r ? 'P;R' : 'P');
}
info('1|2|1|8|', 'L', 'L');
info('II:1|1|1|12|', 'I;16', 'I;12');
info('II:0|1|1|16|', 'I;16', 'I;16');
info('II:1|1|1|16|', 'I;16', 'I;16');
info('MM:1|1|1|16|', 'I;16B', 'I;16B');
info('II:1|1|2|16|', 'I;16', 'I;16R');
info('II:1|2|1|16|', 'I', 'I;16S');
info('MM:1|2|1|16|', 'I', 'I;16BS');
info('II:0|3|1|32|', 'F', 'F;32F');
info('MM:0|3|1|32|', 'F', 'F;32BF');
info('II:1|1|1|32|', 'I', 'I;32N');
info('II:1|2|1|32|', 'I', 'I;32S');
info('MM:1|2|1|32|', 'I', 'I;32BS');
info('II:1|3|1|32|', 'F', 'F;32F');
info('MM:1|3|1|32|', 'F', 'F;32BF');
info('1|1|1|8,8|2', 'LA', 'LA');
info('2|1|1|8,8,8,8|', 'RGBA', 'RGBA');
info('2|1|1|8,8,8,8|0', 'RGB', 'RGBX');
info('2|1|1|8,8,8,8,8|0,0', 'RGB', 'RGBXX');
info('2|1|1|8,8,8,8,8,8|0,0,0', 'RGB', 'RGBXXX');
info('2|1|1|8,8,8,8|1', 'RGBA', 'RGBa');
info('2|1|1|8,8,8,8,8|1,0', 'RGBA', 'RGBaX');
info('2|1|1|8,8,8,8,8,8|1,0,0', 'RGBA', 'RGBaXX');
info('2|1|1|8,8,8,8|2', 'RGBA', 'RGBA');
info('2|1|1|8,8,8,8,8|2,0', 'RGBA', 'RGBAX');
info('2|1|1|8,8,8,8,8,8|2,0,0', 'RGBA', 'RGBAXX');
info('2|1|1|8,8,8,8|999', 'RGBA', 'RGBA');
info('II:2|1|1|16,16,16|', 'RGB', 'RGB;16L');
info('MM:2|1|1|16,16,16|', 'RGB', 'RGB;16B');
for (const [extra, mode, raw] of [['', 'RGBA', 'RGBA'], ['0', 'RGB', 'RGBX'], ['1', 'RGBA', 'RGBa'], ['2', 'RGBA', 'RGBA']]) {
  info(`II:2|1|1|16,16,16,16|${extra}`, mode, `${raw};16L`);
  info(`MM:2|1|1|16,16,16,16|${extra}`, mode, `${raw};16B`);
}
info('3|1|1|8,8|0', 'P', 'PX');
info('3|1|1|8,8|2', 'PA', 'PA');
info('5|1|1|8,8,8,8|', 'CMYK', 'CMYK');
info('5|1|1|8,8,8,8,8|0', 'CMYK', 'CMYKX');
info('5|1|1|8,8,8,8,8,8|0,0', 'CMYK', 'CMYKXX');
info('II:5|1|1|16,16,16,16|', 'CMYK', 'CMYK;16L');
info('MM:5|1|1|16,16,16,16|', 'CMYK', 'CMYK;16B');
info('6|1|1|8|', 'L', 'L');
info('6|1|1|8,8,8|', 'RGB', 'RGBX');
info('8|1|1|8,8,8|', 'LAB', 'LAB');
const MAX_SAMPLES_PER_PIXEL = 6;

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'raw', 2: 'CCITT RLE', 3: 'CCITT Group 3', 4: 'CCITT Group 4', 5: 'LZW', 6: 'old-style JPEG', 7: 'JPEG', 8: 'Deflate', 32771: 'raw_16',
  32773: 'PackBits', 32809: 'ThunderScan', 32946: 'Deflate', 34676: 'SGI LogLuv', 34677: 'SGI LogLuv', 34712: 'JPEG 2000', 34925: 'LZMA', 50000: 'Zstandard', 50001: 'WebP',
};

interface Layout {
  width: number;
  height: number;
  little: boolean;
  compression: number;
  photometric: number;
  mode: string;
  rawmode: string;
  /** Bits per sample (uniform in every supported layout) and samples stored per pixel. */
  bps: number;
  spp: number;
  planar: boolean;
  /** Planes decoded for planar files (unspecified extra samples are skipped). */
  planes: number;
  fill: number;
  predictor: number;
  orientation: number;
  palette: Uint8Array | null;
}

function readLayout(ifd: Ifd, label: string): Layout {
  const one = (tag: number, fallback: number): number => ifd.get(tag)?.[0] ?? fallback;
  const compression = one(259, 1);
  if (!(compression in COMPRESSION_NAMES)) throw tiffError(label, `uses unknown compression ${compression}`);
  if (compression === 6) {
    throw tiffError(label, 'with old-style JPEG compression (6) is not supported; convert it to JPEG or PNG (or save the TIFF with LZW, Deflate or no compression)');
  }
  if (![1, 5, 7, 8, 32946, 32773].includes(compression)) {
    throw tiffError(label, `with ${COMPRESSION_NAMES[compression]} compression (${compression}) is not supported; re-save it with LZW, Deflate, PackBits or no compression, or convert it to PNG`);
  }
  const planarValue = one(284, 1);
  const photo = one(262, 0);
  const fill = one(266, 1);
  const width = ifd.get(256)?.[0];
  const height = ifd.get(257)?.[0];
  if (width === undefined || height === undefined) throw tiffError(label, 'has no image size (ImageWidth/ImageLength tags are missing)');
  if (!Number.isInteger(width) || !Number.isInteger(height)) throw tiffError(label, 'has an invalid image size');
  checkImageSize(width, height, `${label} (TIFF)`);
  let sampleFormat = ifd.get(339) ?? [1];
  if (sampleFormat.length > 1 && sampleFormat.every((v) => v === sampleFormat[0])) sampleFormat = [sampleFormat[0]];
  let bpsTuple = ifd.get(258) ?? [1];
  let extra = ifd.get(338) ?? [];
  let spp = one(277, 1);
  let bpsCount = photo === 2 || photo === 6 || photo === 8 ? 3 : photo === 5 ? 4 : 1;
  if (planarValue === 2 && extra.length > 0 && Math.max(...extra) === 0) {
    bpsTuple = bpsTuple.slice(0, bpsTuple.length - extra.length);
    spp -= extra.length;
    extra = [];
  }
  bpsCount += extra.length;
  if (spp > MAX_SAMPLES_PER_PIXEL) throw tiffError(label, `has too many samples per pixel (${spp})`);
  if (spp < bpsTuple.length) bpsTuple = bpsTuple.slice(0, spp);
  else if (spp > bpsTuple.length && bpsTuple.length === 1) bpsTuple = new Array<number>(spp).fill(bpsTuple[0]);
  if (bpsTuple.length !== spp) throw tiffError(label, 'has an unknown data organization (BitsPerSample does not match SamplesPerPixel)');
  const order = ifd.little ? 'II' : 'MM';
  const key = `${order}:${photo}|${sampleFormat.join(',')}|${fill}|${bpsTuple.join(',')}|${extra.join(',')}`;
  const found = OPEN_INFO.get(key);
  if (!found) throw tiffError(label, `has a pixel layout Pillow cannot read (photometric ${photo}, ${bpsTuple.join('/')} bits, extra samples [${extra.join(',')}])`);
  let [mode, rawmode] = found;
  if (compression === 7) {
    const plain = planarValue === 1 && bpsTuple.every((v) => v === 8) && extra.length === 0 && ((spp === 3 && (photo === 2 || photo === 6)) || (spp === 1 && (photo === 0 || photo === 1)));
    if (!plain) throw tiffError(label, `with JPEG compression is only supported for 8-bit gray, RGB and YCbCr in one plane (this one: photometric ${photo}, ${bpsTuple.join('/')} bits${planarValue === 2 ? ', separate planes' : ''}); convert it to JPEG or PNG`);
    // Pillow: YCbCr JPEG in one plane is unpacked straight into RGB (libtiff's JPEGCOLORMODE_RGB).
    if (photo === 6) [mode, rawmode] = ['RGB', 'RGB'];
  }
  if (photo === 6 && compression !== 7) throw tiffError(label, 'in YCbCr colour is not supported; convert it to JPEG or PNG');
  if (mode === 'LAB' || rawmode === 'I;12') throw tiffError(label, `in Pillow mode ${mode} (${rawmode}) is not supported; convert it to PNG`);
  if (fill === 2 && (compression !== 1 || bpsTuple[0] === 16)) throw tiffError(label, 'with FillOrder 2 (reversed bits) is only supported uncompressed up to 8 bits per sample');
  const planar = planarValue === 2;
  if (planar && !(bpsTuple[0] === 8 && ['RGB', 'RGBA', 'CMYK'].includes(rawmode))) {
    throw tiffError(label, `with separate planes is only supported for 8-bit RGB, RGBA and CMYK (this one is ${rawmode})`);
  }
  let palette: Uint8Array | null = null;
  if (mode === 'P' || mode === 'PA') {
    const map = ifd.get(320);
    if (!map) throw tiffError(label, 'is a palette image without a ColorMap');
    const n = Math.floor(map.length / 3);
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < Math.min(n, 256); i++) {
      palette[3 * i] = Math.floor(map[i] / 256);
      palette[3 * i + 1] = Math.floor(map[n + i] / 256);
      palette[3 * i + 2] = Math.floor(map[2 * n + i] / 256);
    }
  }
  return {
    width, height, little: ifd.little, compression, photometric: photo, mode, rawmode, bps: bpsTuple[0], spp, planar, planes: planar ? bpsCount : 1,
    fill, predictor: one(317, 1), orientation: one(274, 1), palette,
  };
}

const BIT_REVERSE = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let k = 0; k < 8; k++) if (i & (1 << k)) r |= 0x80 >> k;
  BIT_REVERSE[i] = r;
}

/**
 * The stored samples, one buffer per plane (a single one unless planar), rows of `rowBytes` bytes
 * each, in the file's byte order.
 */
interface Stored {
  planes: Uint8Array[];
  rowBytes: number;
}

/** Pillow's raw tile loop for uncompressed files (TiffImageFile._setup + ImageFile.load). */
function readUncompressed(b: Uint8Array, ifd: Ifd, L: Layout, label: string): Stored {
  const { width: xsize, height: ysize } = L;
  const bitsPerPixel = L.planar ? L.bps : L.bps * L.spp;
  const rowBytes = Math.ceil((xsize * bitsPerPixel) / 8);
  const planes = Array.from({ length: L.planes }, () => new Uint8Array(rowBytes * ysize));
  let offsets: number[];
  let w: number;
  let h: number;
  if (ifd.get(273)) {
    offsets = ifd.get(273) as number[];
    h = ifd.get(278)?.[0] ?? ysize;
    w = xsize;
  } else if (ifd.get(324)) {
    offsets = ifd.get(324) as number[];
    w = ifd.get(322)?.[0] ?? NaN;
    h = ifd.get(323)?.[0] ?? NaN;
    if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) throw tiffError(label, 'has invalid tile dimensions');
    if ((w * bitsPerPixel) % 8 !== 0) throw tiffError(label, 'has tiles that do not start on a byte boundary');
  } else {
    throw tiffError(label, 'has no StripOffsets or TileOffsets');
  }
  if (!(h > 0)) throw tiffError(label, 'has an invalid RowsPerStrip');
  if (w === xsize && h === ysize && !L.planar) offsets = offsets.slice(-1);
  const tiles: { x: number; y: number; x1: number; y1: number; offset: number; stride: number; layer: number }[] = [];
  let x = 0;
  let y = 0;
  let layer = 0;
  const totalBits = L.bps * L.spp;
  for (const offset of offsets) {
    let stride = x + w > xsize ? (w * totalBits) / 8 : 0;
    if (L.planar) stride /= L.planes;
    if (layer >= L.planes) throw tiffError(label, 'has more strips or tiles than its planes need');
    tiles.push({ x, y, x1: Math.min(x + w, xsize), y1: Math.min(y + h, ysize), offset, stride: Math.trunc(stride), layer: L.planar ? layer : 0 });
    x += w;
    if (x >= xsize) {
      x = 0;
      y += h;
      if (y >= ysize) {
        y = 0;
        layer++;
      }
    }
  }
  tiles.sort((p, q) => p.offset - q.offset); // ImageFile.load decodes tiles in file order
  for (const t of tiles) {
    const bytes = Math.ceil(((t.x1 - t.x) * bitsPerPixel) / 8);
    const stride = t.stride || bytes;
    const rows = t.y1 - t.y;
    if (t.offset + (rows - 1) * stride + bytes > b.length) throw tiffError(label, 'is truncated (image data ends early)');
    const dst = planes[t.layer];
    const col = (t.x * bitsPerPixel) / 8;
    for (let r = 0; r < rows; r++) {
      const src = t.offset + r * stride;
      dst.set(b.subarray(src, src + bytes), (t.y + r) * rowBytes + col);
    }
  }
  if (L.fill === 2) {
    // Pillow's ";R" raw modes read each byte with its bits reversed.
    for (const p of planes) for (let i = 0; i < p.length; i++) p[i] = BIT_REVERSE[p[i]];
  }
  return { planes, rowBytes };
}

/** libtiff's LZWDecode (new-style, MSB-first codes, early change) into exactly out.length bytes. */
function lzwDecode(src: Uint8Array, out: Uint8Array, label: string): void {
  if (src.length >= 2 && src[0] === 0 && src[1] & 1) throw tiffError(label, 'uses old-style (pre-6.0) LZW, which is not supported');
  const SIZE = 5120; // libtiff's table, 4096 codes plus slack before "Corrupted LZW table"
  const prefix = new Uint16Array(SIZE);
  const suffix = new Uint8Array(SIZE);
  const first = new Uint8Array(SIZE);
  const length = new Uint16Array(SIZE);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const cap = out.length;
  const srcLen = src.length;
  let pos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let p = 0;
  let nbits = 9;
  let mask = 511;
  let next = 258;
  let old = -1;
  while (pos < cap) {
    while (bitCount < nbits && p < srcLen) {
      bitBuf = ((bitBuf << 8) | src[p++]) & 0xffffff;
      bitCount += 8;
    }
    if (bitCount < nbits) break; // libtiff: strip not terminated with EOI code
    bitCount -= nbits;
    const code = (bitBuf >>> bitCount) & mask;
    if (code === 257) break;
    if (code === 256) {
      nbits = 9;
      mask = 511;
      next = 258;
      old = -1;
      continue;
    }
    if (old < 0) {
      if (code > 255) throw tiffError(label, 'has corrupt LZW data (code after a clear code)');
      out[pos++] = code;
      old = code;
      continue;
    }
    if (code > next) throw tiffError(label, 'has corrupt LZW data (code beyond the table)');
    if (next >= SIZE) throw tiffError(label, 'has corrupt LZW data (table overflow)');
    prefix[next] = old;
    first[next] = first[old];
    length[next] = length[old] + 1;
    suffix[next] = code < next ? first[code] : first[old];
    next++;
    if (code < 256) {
      out[pos++] = code;
    } else {
      // Write the code's string backwards from its last byte (bytes past `cap` are dropped).
      const len = length[code];
      let q = pos + len - 1;
      let k = code;
      while (q >= cap) {
        k = prefix[k];
        q--;
      }
      while (q > pos) {
        out[q--] = suffix[k];
        k = prefix[k];
      }
      out[pos] = suffix[k];
      pos += len;
    }
    old = code;
    if (next >= mask && nbits < 12) {
      nbits++;
      mask = (1 << nbits) - 1;
    }
  }
  if (pos < cap) throw tiffError(label, `LZW data ends early (${pos} of ${cap} bytes); the file is corrupt or truncated`);
}

/** libtiff's PackBitsDecode into exactly out.length bytes. */
function packBitsDecode(src: Uint8Array, out: Uint8Array, label: string): void {
  let p = 0;
  let o = 0;
  const cap = out.length;
  while (p < src.length && o < cap) {
    let n = src[p++];
    if (n >= 128) n -= 256;
    if (n < 0) {
      if (n === -128) continue;
      n = Math.min(-n + 1, cap - o);
      if (p >= src.length) break;
      out.fill(src[p++], o, o + n);
      o += n;
    } else {
      n = Math.min(n + 1, cap - o);
      if (p + n > src.length) break;
      out.set(src.subarray(p, p + n), o);
      o += n;
      p += n;
    }
  }
  if (o < cap) throw tiffError(label, `PackBits data ends early (${o} of ${cap} bytes); the file is corrupt or truncated`);
}

/** Undoes the horizontal predictor (libtiff's horAcc8/16/32) on rows of `samples` values, `stride` samples per pixel. */
function undoPredictor(data: Uint8Array, rows: number, rowBytes: number, bps: number, stride: number, little: boolean): void {
  if (bps === 8) {
    for (let r = 0; r < rows; r++) {
      const base = r * rowBytes;
      for (let i = base + stride; i < base + rowBytes; i++) data[i] = (data[i] + data[i - stride]) & 0xff;
    }
    return;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const size = bps / 8;
  const step = stride * size;
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    for (let i = base + step; i + size <= base + rowBytes; i += size) {
      if (bps === 16) view.setUint16(i, (view.getUint16(i, little) + view.getUint16(i - step, little)) & 0xffff, little);
      else view.setUint32(i, (view.getUint32(i, little) + view.getUint32(i - step, little)) >>> 0, little);
    }
  }
}

/** Strips or tiles of a compressed file the way libtiff returns them (TIFFReadEncodedStrip/Tile). */
async function readCompressed(b: Uint8Array, ifd: Ifd, L: Layout, label: string): Promise<Stored> {
  const { width, height } = L;
  if (!ifd.complete) throw tiffError(label, 'is truncated (image directory)');
  const bitsPerPixel = L.planar ? L.bps : L.bps * L.spp;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const stored = Array.from({ length: L.planes }, () => new Uint8Array(rowBytes * height));
  // libtiff's PackBits and JPEG codecs never apply a predictor.
  if (L.predictor !== 1 && L.compression !== 32773 && L.compression !== 7) {
    if (L.predictor === 3) throw tiffError(label, 'uses the floating-point predictor, which is not supported');
    if (L.predictor !== 2) throw tiffError(label, `has an invalid Predictor value (${L.predictor})`);
    if (![8, 16, 32].includes(L.bps)) throw tiffError(label, `uses the horizontal predictor with ${L.bps}-bit samples, which libtiff does not support`);
  }
  const predict = L.predictor === 2 && L.compression !== 32773 && L.compression !== 7;
  const tiled = !ifd.getLibtiff(273) && !!ifd.getLibtiff(324);
  const offsets = ifd.getLibtiff(tiled ? 324 : 273);
  if (!offsets) throw tiffError(label, 'has no StripOffsets or TileOffsets');
  const counts = ifd.getLibtiff(tiled ? 325 : 279);
  if (!counts) throw tiffError(label, `is missing ${tiled ? 'TileByteCounts' : 'StripByteCounts'}`);
  const tw = tiled ? (ifd.getLibtiff(322)?.[0] ?? 0) : width;
  const th = tiled ? (ifd.getLibtiff(323)?.[0] ?? 0) : Math.min(ifd.getLibtiff(278)?.[0] ?? height, height);
  if (!(tw > 0 && th > 0) || (tw * bitsPerPixel) % 8 !== 0) throw tiffError(label, 'has invalid tile or strip dimensions');
  const across = Math.ceil(width / tw);
  const down = Math.ceil(height / th);
  const perPlane = across * down;
  const totalPlanes = L.planar ? L.spp : 1;
  if (offsets.length < perPlane * totalPlanes || counts.length < perPlane * totalPlanes) throw tiffError(label, 'has fewer strips or tiles than the image needs');
  const tileRowBytes = Math.ceil((tw * bitsPerPixel) / 8);
  for (let plane = 0; plane < L.planes; plane++) {
    for (let index = 0; index < perPlane; index++) {
      const k = plane * perPlane + index;
      const offset = offsets[k];
      const count = counts[k];
      const ty = Math.floor(index / across) * th;
      const tx = (index % across) * tw;
      const rows = tiled ? th : Math.min(th, height - ty);
      if (!(count > 0)) throw tiffError(label, `has an empty strip or tile (${k})`);
      if (offset + count > b.length) throw tiffError(label, 'is truncated (strip or tile data runs past the end of the file)');
      const src = b.subarray(offset, offset + count);
      const data = new Uint8Array(tileRowBytes * rows);
      if (L.compression === 5) lzwDecode(src, data, label);
      else if (L.compression === 32773) packBitsDecode(src, data, label);
      else if (L.compression === 7) jpegDecode(withJpegTables(src, ifd.getLibtiff(347)), data, tw, rows, L, label);
      else data.set(await inflateZlib(src.slice(), data.length, `${label} (TIFF)`));
      if (predict) undoPredictor(data, rows, tileRowBytes, L.bps, L.planar ? 1 : L.spp, L.little);
      const copyRows = Math.min(rows, height - ty);
      const copyBytes = Math.min(tileRowBytes, rowBytes - (tx * bitsPerPixel) / 8);
      const col = (tx * bitsPerPixel) / 8;
      const dst = stored[plane];
      for (let r = 0; r < copyRows; r++) dst.set(data.subarray(r * tileRowBytes, r * tileRowBytes + copyBytes), (ty + r) * rowBytes + col);
    }
  }
  return { planes: stored, rowBytes };
}

/**
 * A strip or tile of JPEG-in-TIFF as one JPEG: libtiff reads the JPEGTables stream (quantization
 * and Huffman tables) before each abbreviated strip, which is the tables spliced in after its SOI.
 */
function withJpegTables(src: Uint8Array, tables: number[] | undefined): Uint8Array {
  if (!tables || tables.length < 4 || tables[0] !== 0xff || tables[1] !== 0xd8 || src[0] !== 0xff || src[1] !== 0xd8) return src;
  const end = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9 ? tables.length - 2 : tables.length;
  const out = new Uint8Array(end + src.length - 2);
  out.set(tables.slice(0, end));
  out.set(src.subarray(2), end);
  return out;
}

/**
 * libtiff's JPEG codec: libjpeg-turbo's islow IDCT and fancy upsampling (our exact port); YCbCr
 * photometric converted to RGB (Pillow asks for JPEGCOLORMODE_RGB), any other stored as is. A JPEG
 * larger than the strip or tile is cropped, a smaller one is an error, as in libtiff.
 */
function jpegDecode(jpeg: Uint8Array, out: Uint8Array, width: number, rows: number, L: Layout, label: string): void {
  let image: RgbImage;
  try {
    image = decodeJpegLikePillow(jpeg, label, { components: [L.spp], tolerateMarkerInScan: false, colour: L.photometric === 6 ? 'ycbcr' : 'as-stored' });
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    throw tiffError(label, `has a JPEG strip or tile that cannot be decoded (${err instanceof Error ? err.message : String(err)})`);
  }
  if (image.width < width || image.height < rows) throw tiffError(label, `has a JPEG strip or tile of ${image.width}x${image.height}, smaller than its ${width}x${rows} (Improper JPEG strip/tile size)`);
  const spp = L.spp;
  for (let r = 0; r < rows; r++) {
    for (let x = 0; x < width; x++) {
      const from = (r * image.width + x) * 3;
      const to = (r * width + x) * spp;
      for (let c = 0; c < spp; c++) out[to + c] = image.data[from + c] as number;
    }
  }
}

const clip8 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v | 0);

/** Pillow's unpacker for `rawmode` followed by convert("RGB"). */
function toRgb(s: Stored, L: Layout): Uint8Array {
  const { width: w, height: h, rawmode, mode } = L;
  const out = new Uint8Array(w * h * 3);
  const data = s.planes[0];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const base = L.fill === 2 ? rawmode.replace(/;R$/, '').replace(/R$/, '') : rawmode;
  let o = 0;
  const gray = (v: number): void => {
    out[o++] = v;
    out[o++] = v;
    out[o++] = v;
  };
  if (L.planar) {
    const [r, g, b, k] = s.planes;
    for (let i = 0; i < w * h; i++) {
      const y = Math.floor(i / w);
      const p = y * s.rowBytes + (i - y * w);
      if (mode === 'CMYK') cmyk(out, o, r[p], g[p], b[p], k[p]);
      else {
        out[o] = r[p];
        out[o + 1] = g[p];
        out[o + 2] = b[p];
      }
      o += 3;
    }
    return out;
  }
  if (base === 'RGB' && L.bps === 8 && s.rowBytes === w * 3) return data.length === out.length ? data : data.slice(0, out.length);
  if (base === 'L' && L.bps === 8 && s.rowBytes === w) {
    for (let i = 0; i < w * h; i++, o += 3) out[o] = out[o + 1] = out[o + 2] = data[i];
    return out;
  }
  const bitsMode = /^(1|L|P);?(\d)?(I)?$/.exec(base);
  if (bitsMode && (L.bps < 8 || base === 'L;I')) {
    // 1, 2, 4 (and inverted 8) bit gray and palette samples.
    const bits = L.bps;
    const invert = base.includes('I');
    const max = (1 << bits) - 1;
    for (let y = 0; y < h; y++) {
      const row = y * s.rowBytes;
      for (let x = 0; x < w; x++) {
        const bit = x * bits;
        let v = (data[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & max;
        if (invert) v = max - v;
        if (mode === 'P') {
          const pal = L.palette as Uint8Array;
          out[o++] = pal[3 * v];
          out[o++] = pal[3 * v + 1];
          out[o++] = pal[3 * v + 2];
        } else {
          gray(mode === '1' ? (v ? 255 : 0) : bits === 8 ? v : (v * 255) / max);
        }
      }
    }
    return out;
  }
  // libtiff hands compressed 16/32-bit samples over in native (little-endian) order and Pillow
  // reads big-endian signed/float raw modes as big-endian anyway: those values come out byte-swapped.
  const little = L.little || (L.compression !== 1 && /B(S|F)$/.test(rawmode));
  const spp = L.spp;
  const size = L.bps / 8;
  const px = spp * size;
  for (let y = 0; y < h; y++) {
    const row = y * s.rowBytes;
    for (let x = 0; x < w; x++) {
      const p = row + x * px;
      switch (mode) {
        case 'L':
        case 'LA':
          gray(data[p]);
          break;
        case 'P':
        case 'PA': {
          const pal = L.palette as Uint8Array;
          const v = data[p];
          out[o++] = pal[3 * v];
          out[o++] = pal[3 * v + 1];
          out[o++] = pal[3 * v + 2];
          break;
        }
        case 'I;16':
        case 'I;16B':
          gray(clip8(view.getUint16(p, little)));
          break;
        case 'I':
          gray(clip8(L.bps === 16 ? view.getInt16(p, little) : view.getInt32(p, little)));
          break;
        case 'F': {
          const v = view.getFloat32(p, little);
          gray(v > 0 ? (v >= 255 ? 255 : Math.trunc(v)) : 0);
          break;
        }
        case 'RGB':
        case 'RGBA': {
          // 16-bit samples: Pillow keeps the high byte (the first byte of a big-endian sample).
          const hi = size === 2 ? (little ? 1 : 0) : 0;
          let r = data[p + hi];
          let g = data[p + size + hi];
          let b = data[p + 2 * size + hi];
          if (rawmode.startsWith('RGBa')) {
            const a = data[p + 3 * size + hi];
            if (a === 0) r = g = b = 0;
            else if (a !== 255) {
              r = Math.min(255, Math.floor((r * 255) / a));
              g = Math.min(255, Math.floor((g * 255) / a));
              b = Math.min(255, Math.floor((b * 255) / a));
            }
          }
          out[o++] = r;
          out[o++] = g;
          out[o++] = b;
          break;
        }
        case 'CMYK': {
          const hi = size === 2 ? (little ? 1 : 0) : 0;
          cmyk(out, o, data[p + hi], data[p + size + hi], data[p + 2 * size + hi], data[p + 3 * size + hi]);
          o += 3;
          break;
        }
        default:
          throw new SiglipError('IMAGE_DECODE', `TIFF mode ${mode} is not supported`);
      }
    }
  }
  return out;
}

/** Pillow's cmyk2rgb: nk = 255 - k; channel = nk - MULDIV255(c, nk). */
function cmyk(out: Uint8Array, o: number, c: number, m: number, y: number, k: number): void {
  const nk = 255 - k;
  const mul = (a: number): number => {
    const t = a * nk + 128;
    return ((t >> 8) + t) >> 8;
  };
  out[o] = clip8(nk - mul(c));
  out[o + 1] = clip8(nk - mul(m));
  out[o + 2] = clip8(nk - mul(y));
}

/** Decodes the first image of a TIFF file to the RGB Pillow's load_image returns (orientation applied). */
export async function decodeTiff(bytes: Uint8Array, label = 'image'): Promise<RgbImage> {
  const ifd = readIfd0(bytes, label);
  const layout = readLayout(ifd, label);
  const stored = layout.compression === 1 ? readUncompressed(bytes, ifd, layout, label) : await readCompressed(bytes, ifd, layout, label);
  const image = { data: toRgb(stored, layout), width: layout.width, height: layout.height };
  return applyExifOrientation(image, layout.orientation);
}
