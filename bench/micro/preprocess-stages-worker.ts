/**
 * Worker side of bench/micro/preprocess-stages.mjs: times each CPU stage of indexing one photo the
 * way the library's preprocessing worker does it (src/engine/library-prepare.ts), stage by stage.
 */
import { sha256OfBlob } from '../../src/storage/sha256-stream.js';
import { rgbaToRgb } from '../../src/processors/image/decode-browser.js';
import { applyExifOrientation, readJpegOrientation } from '../../src/processors/image/exif-orientation.js';
import * as resample from '../../src/processors/image/pil-resample.js';
import { buildChannelLookupTables, writeNormalizedChw } from '../../src/processors/image/rescale-normalize.js';
import { SiglipImageProcessor } from '../../src/processors/image/image-processor.js';
import { preparePixels } from '../../src/engine/library-prepare.js';

const SIZE = 224;
const processor = SiglipImageProcessor.fromConfig({});
const tables = buildChannelLookupTables(processor.config);
// resizePixelSource exists from the fused pipeline on; the micro-bench also runs on the old code.
const fused = (resample as Record<string, unknown>)['resizePixelSource'] as
  | undefined
  | ((src: { data: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: 3 | 4; orientation?: number }, w: number, h: number, filter: number, timings?: Record<string, number>) => { data: Uint8Array; width: number; height: number });

type Times = Record<string, number>;

async function stages(blob: Blob, orientation: number): Promise<Times> {
  const t: Times = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = (t[name] ?? 0) + now - t0;
    t0 = now;
  };
  await sha256OfBlob(blob);
  lap('sha256 id');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  lap('blob read');
  readJpegOrientation(bytes);
  lap('exif parse');
  const bitmap = await createImageBitmap(new Blob([bytes.slice()]), { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  lap('decode (createImageBitmap, rotated by browser)');
  const { width, height } = bitmap;
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  lap('drawImage');
  const rgba = ctx.getImageData(0, 0, width, height).data;
  lap('getImageData');
  if (typeof VideoFrame !== 'undefined') {
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    const buf = new Uint8Array(frame.allocationSize({ format: 'RGBA' } as VideoFrameCopyToOptions));
    await frame.copyTo(buf, { format: 'RGBA' } as VideoFrameCopyToOptions);
    t['(VideoFrame format ' + frame.format + ')'] = 1;
    frame.close();
    lap('VideoFrame.copyTo RGBA (instead of draw+getImageData)');
    t['VideoFrame == getImageData'] = buf.length === rgba.length && buf.every((x, i) => x === rgba[i]) ? 1 : 0;
    t0 = performance.now();
  }
  bitmap.close();
  // Unrotated decode, to price the browser's own rotation and our fused path.
  const raw = await createImageBitmap(new Blob([bytes.slice()]), { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  lap('decode (createImageBitmap, imageOrientation none)');
  t['none-decode is unrotated'] = raw.width === (orientation >= 5 ? height : width) && orientation >= 5 ? 1 : 0;
  raw.close();
  t0 = performance.now();
  // Old step-by-step path.
  const rgb = rgbaToRgb(rgba, width, height);
  lap('old: RGBA->RGB');
  // What an own-side EXIF transpose (XMP/WebP/PNG path) would cost: rotate and rotate back.
  if (orientation !== 1) {
    const rotated = applyExifOrientation(rgb, orientation);
    lap('old: EXIF transpose copy');
    resample.resizeRgb8(rotated, SIZE, SIZE, 3);
    lap('old: resize of the transposed copy');
  }
  const h = resample.resizeRgb8(rgb, SIZE, height, 3);
  lap('old: horizontal resample');
  const v = resample.resizeRgb8(h, SIZE, SIZE, 3);
  lap('old: vertical resample');
  const oldPixels = new Float32Array(3 * SIZE * SIZE);
  writeNormalizedChw(v, tables, oldPixels);
  lap('normalize');
  if (fused) {
    const inner: Times = {};
    const out = fused({ data: rgba, width, height, channels: 4 }, SIZE, SIZE, 3, inner);
    lap('new: fused RGBA resize total');
    for (const [k, val] of Object.entries(inner)) t[`new: ${k}`] = val;
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    t['new == old'] = same(out.data, v.data) ? 1 : 0;
    if (orientation !== 1) {
      // Our own transpose fused in (XMP-only JPEG, PNG/WebP EXIF): this photo's pixels read as if
      // tagged `orientation`, against the old transpose copy + resize.
      t0 = performance.now();
      const o = fused({ data: rgba, width, height, channels: 4, orientation }, SIZE, SIZE, 3);
      lap('new: fused RGBA+EXIF transpose resize total');
      const ref = resample.resizeRgb8(applyExifOrientation(rgb, orientation), SIZE, SIZE, 3);
      t['new == old (transposed)'] = same(o.data, ref.data) ? 1 : 0;
      t0 = performance.now();
    }
  }
  t0 = performance.now();
  const r = await preparePixels([blob], processor, () => 'photo');
  lap('END-TO-END preparePixels');
  if ('error' in r[0]!) throw new Error(JSON.stringify(r[0].error));
  // preparePixels (whatever it does with the orientation) against browser-rotated pixels + old resize.
  t['preparePixels == browser-rotated old path'] = r[0].pixels.every((x, i) => x === oldPixels[i]) ? 1 : 0;
  return t;
}

self.onmessage = async (e: MessageEvent<{ blobs: Blob[]; orientations: number[]; rounds: number }>) => {
  const { blobs, orientations, rounds } = e.data;
  const all: Times[] = [];
  try {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < blobs.length; i++) all.push({ ...(await stages(blobs[i]!, orientations[i]!)), orientation: orientations[i]!, round: r });
    self.postMessage({ all });
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
