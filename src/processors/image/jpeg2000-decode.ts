/**
 * JPEG 2000 as Pillow opens it: a JP2 file (boxes around one codestream) or a raw J2K codestream,
 * decoded by OpenJPEG (Pillow's own decoder; the codec is injected, see engine/openjpeg-codec.ts),
 * then converted to RGB the way `convert('RGB')` does: grey replicated, alpha dropped.
 * Pillow's mode comes from the header: 1 component L, 3 RGB. Supported here are the files cameras
 * and Pillow write: grey or colour, 8-bit unsigned components at full resolution, sRGB, grey or
 * ICC colour. Alpha, palettes, sYCC/CMYK/bilevel colour, reordered channels, subsampled or deeper
 * components are refused with a typed error instead of being decoded differently.
 */
import { SiglipError } from '../../errors.js';
import { readBoxes } from './iso-boxes.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

/** OpenJPEG on a raw codestream: interleaved 8-bit samples, `components` per pixel. */
export interface Jpeg2000Codec {
  decode(codestream: Uint8Array): Promise<{ width: number; height: number; components: number; data: Uint8Array }>;
}

interface Siz {
  readonly width: number;
  readonly height: number;
  readonly components: { readonly ssiz: number; readonly dx: number; readonly dy: number }[];
}

const COLOUR_SRGB = 16;
const COLOUR_GREY = 17;

function fail(label: string, why: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: ${why}`);
}

function unsupported(label: string, what: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label} is a JPEG 2000 file with ${what}, which siglip-web does not decode; convert it to PNG or JPEG`);
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + 3] as number);
}

/** The boxes between `from` and `to` (content offsets); one running past `to` is a truncated file. */
function boxes(b: Uint8Array, from: number, to: number, label: string): { type: string; start: number; end: number }[] {
  const read = readBoxes(b, from, to);
  if (!read.complete) throw fail(label, 'JPEG 2000 box runs past the end of the file (image file is truncated)');
  return read.boxes.map((x) => ({ type: x.type, start: x.start + x.headerSize, end: x.end }));
}

/** The codestream of a JP2 file, after checking its header against what we decode like Pillow. */
function jp2Codestream(b: Uint8Array, label: string): Uint8Array {
  const top = boxes(b, 0, b.length, label);
  const jp2h = top.find((x) => x.type === 'jp2h');
  const jp2c = top.find((x) => x.type === 'jp2c');
  if (!jp2h) throw fail(label, 'JP2 file has no header box (jp2h)');
  if (!jp2c) throw fail(label, 'JP2 file has no codestream (image file is truncated)');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const box of boxes(b, jp2h.start, jp2h.end, label)) {
    if (box.type === 'pclr') throw unsupported(label, 'a palette');
    if (box.type === 'colr' && box.end - box.start >= 7 && b[box.start] === 1) {
      const cs = view.getUint32(box.start + 3);
      if (cs !== COLOUR_SRGB && cs !== COLOUR_GREY) throw unsupported(label, `colour space ${cs} (not sRGB or grey)`);
    }
    if (box.type === 'cdef') {
      const n = box.end - box.start >= 2 ? view.getUint16(box.start) : 0;
      for (let i = 0; i < n; i++) {
        const at = box.start + 2 + i * 6;
        if (at + 6 > box.end) throw fail(label, 'JP2 channel definition box is truncated');
        const channel = view.getUint16(at);
        const type = view.getUint16(at + 2);
        const assoc = view.getUint16(at + 4);
        // Colour channels must be in order (a reordering would be applied by OpenJPEG's JP2 layer).
        if (type === 0 && assoc !== channel + 1) throw unsupported(label, 'reordered channels');
      }
    }
  }
  return b.subarray(jp2c.start, jp2c.end);
}

/** The SIZ marker segment, which must follow SOC. */
function readSiz(cs: Uint8Array, label: string): Siz {
  if (cs.length < 4 || cs[0] !== 0xff || cs[1] !== 0x4f || cs[2] !== 0xff || cs[3] !== 0x51) throw fail(label, 'JPEG 2000 codestream does not start with SOC and SIZ');
  const view = new DataView(cs.buffer, cs.byteOffset, cs.byteLength);
  if (cs.length < 4 + 38) throw fail(label, 'JPEG 2000 SIZ marker is truncated (image file is truncated)');
  const at = 6; // after the marker and its length
  const xsiz = view.getUint32(at + 2);
  const ysiz = view.getUint32(at + 6);
  const x0 = view.getUint32(at + 10);
  const y0 = view.getUint32(at + 14);
  const csiz = view.getUint16(at + 34);
  if (cs.length < at + 36 + 3 * csiz) throw fail(label, 'JPEG 2000 SIZ marker is truncated (image file is truncated)');
  const components = Array.from({ length: csiz }, (_, i) => ({
    ssiz: cs[at + 36 + 3 * i] as number,
    dx: cs[at + 37 + 3 * i] as number,
    dy: cs[at + 38 + 3 * i] as number,
  }));
  if (xsiz <= x0 || ysiz <= y0) throw fail(label, `JPEG 2000 image has no pixels (${xsiz}x${ysiz} from ${x0},${y0})`);
  return { width: xsiz - x0, height: ysiz - y0, components };
}

export function isJpeg2000(b: Uint8Array): boolean {
  return (b.length >= 12 && fourcc(b, 4) === 'jP  ' && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 12) || (b.length >= 4 && b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51);
}

export async function decodeJpeg2000(b: Uint8Array, label: string, codec: Jpeg2000Codec): Promise<RgbImage> {
  const cs = b[0] === 0xff ? b : jp2Codestream(b, label);
  const siz = readSiz(cs, label);
  const n = siz.components.length;
  // OpenJPEG's WebAssembly build here decodes 1 or 3 components; alpha (2 or 4) is refused by name.
  if (n === 2 || n === 4) throw unsupported(label, 'an alpha channel');
  if (n !== 1 && n !== 3) throw unsupported(label, `${n} components`);
  for (const c of siz.components) {
    if (c.ssiz !== 7) throw unsupported(label, `${(c.ssiz & 0x7f) + 1}-bit${c.ssiz & 0x80 ? ' signed' : ''} samples`);
    if (c.dx !== 1 || c.dy !== 1) throw unsupported(label, 'subsampled components');
  }
  checkImageSize(siz.width, siz.height, label);
  let decoded: Awaited<ReturnType<Jpeg2000Codec['decode']>>;
  try {
    decoded = await codec.decode(cs);
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    throw SiglipError.wrap('IMAGE_DECODE', `cannot decode ${label} (JPEG 2000); the data may be corrupt or truncated`, err);
  }
  const { width, height, components, data } = decoded;
  if (width !== siz.width || height !== siz.height || components !== n || data.length < width * height * n) {
    throw fail(label, `JPEG 2000 decoder returned ${width}x${height}x${components}, the header says ${siz.width}x${siz.height}x${n}`);
  }
  const count = width * height;
  const out = new Uint8Array(count * 3);
  if (n === 3) {
    for (let i = 0, p = 0; i < count; i++, p += n) {
      out[i * 3] = data[p] as number;
      out[i * 3 + 1] = data[p + 1] as number;
      out[i * 3 + 2] = data[p + 2] as number;
    }
  } else {
    for (let i = 0, p = 0; i < count; i++, p += n) {
      const v = data[p] as number;
      out[i * 3] = v;
      out[i * 3 + 1] = v;
      out[i * 3 + 2] = v;
    }
  }
  return { data: out, width, height };
}
