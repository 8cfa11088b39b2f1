/**
 * Reading decoded pixels back for one sequential consumer (the library indexer) without leaving a
 * full-size canvas and a full-size readback behind per photo (~100 MB of garbage per 12 MP photo,
 * which otherwise piles up between collections). An opaque bitmap is copied straight into our one
 * reused buffer with WebCodecs (VideoFrame.copyTo as RGBA), where the browser does that conversion
 * correctly (checked once on a known image); otherwise one canvas of the largest size seen so far
 * is drawn and read in strips into the same buffer. Either way the pixels are the ones a fresh
 * canvas and one getImageData give (test/browser: photo-zoo and library specs).
 */
import { SiglipError } from '../../errors.js';

export type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** Rows per getImageData call: 4032-wide strips of 2 MB. */
const STRIP_ROWS = 128;
/**
 * Buffers and canvases up to this many pixels are kept for the next photo (a 16 MP phone photo);
 * a larger one (up to Pillow's 179 MP) gets its own, freed with it, not kept for the rest of the job.
 */
const KEEP_PIXELS = 16_777_216;

export function make2dCanvas(width: number, height: number, label: string): Context2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  throw new SiglipError('IMAGE_DECODE', `cannot read pixels of ${label}: no 2D canvas is available in this environment`);
}

/** Whether VideoFrame.copyTo(…, { format: 'RGBA' }) works here: checked on a red and a blue pixel. */
let frameCopyWorks: Promise<boolean> | undefined;
/** Set when a copy did not finish in time: this realm reads back through the canvas from then on. */
let frameCopyDisabled = false;

/** A frame copy that takes longer than this is abandoned (a browser bug must not stall indexing). */
const FRAME_COPY_TIMEOUT_MS = 5000;

/** `copy` resolves true when it finished within the timeout; a late one disables the path. */
async function finishedInTime(copy: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), FRAME_COPY_TIMEOUT_MS);
  });
  try {
    const done = await Promise.race([copy.then(() => true as const), late]);
    if (!done) frameCopyDisabled = true;
    return done;
  } finally {
    clearTimeout(timer);
  }
}

function checkFrameCopy(): Promise<boolean> {
  frameCopyWorks ??= (async () => {
    if (typeof VideoFrame === 'undefined' || typeof createImageBitmap === 'undefined' || typeof ImageData === 'undefined') return false;
    try {
      const known = new ImageData(new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]), 2, 1);
      const bitmap = await createImageBitmap(known);
      const frame = new VideoFrame(bitmap, { timestamp: 0 });
      try {
        const out = new Uint8Array(8);
        return (await finishedInTime(frame.copyTo(out, { format: 'RGBA' }))) && out.join() === '255,0,0,255,0,0,255,255';
      } finally {
        frame.close();
        bitmap.close();
      }
    } catch {
      return false;
    }
  })();
  return frameCopyWorks;
}

export class CanvasReadback {
  private ctx: Context2D | undefined;
  private pixels = new Uint8ClampedArray(0);

  /**
   * RGBA bytes of a decoded bitmap (valid until the next read): copied by WebCodecs when the frame
   * is opaque and the copy is known to work, else drawn and read back like `read`.
   */
  async readBitmap(bitmap: ImageBitmap, label: string): Promise<Uint8ClampedArray> {
    const { width, height } = bitmap;
    if (!frameCopyDisabled && (await checkFrameCopy())) {
      let frame: VideoFrame | undefined;
      try {
        frame = new VideoFrame(bitmap, { timestamp: 0 });
        // An alpha channel would come back unpremultiplied, unlike a canvas: only opaque frames.
        if ((frame.format === 'RGBX' || frame.format === 'BGRX') && frame.codedWidth === width && frame.codedHeight === height) {
          const out = this.buffer(width * height * 4);
          if (await finishedInTime(frame.copyTo(out, { format: 'RGBA' }))) return out;
          // The abandoned copy may still write into that buffer: the canvas path gets a new one.
          this.pixels = new Uint8ClampedArray(0);
        }
      } catch {
        // fall through to the canvas
      } finally {
        frame?.close();
      }
    }
    try {
      return this.read(bitmap, width, height, label);
    } catch (err) {
      throw SiglipError.wrap('IMAGE_DECODE', `cannot read pixels of ${label}`, err);
    }
  }

  /**
   * RGBA bytes of `source` drawn at its size. The returned array is this object's buffer: valid
   * until the next read.
   */
  read(source: CanvasImageSource, width: number, height: number, label: string): Uint8ClampedArray {
    const ctx = this.canvasFor(width, height, label);
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(source, 0, 0, width, height);
    const out = this.buffer(width * height * 4);
    for (let y = 0; y < height; y += STRIP_ROWS) {
      out.set(ctx.getImageData(0, y, width, Math.min(STRIP_ROWS, height - y)).data, y * width * 4);
    }
    return out;
  }

  private buffer(bytes: number): Uint8ClampedArray {
    if (bytes > KEEP_PIXELS * 4) return new Uint8ClampedArray(bytes);
    if (this.pixels.length < bytes) this.pixels = new Uint8ClampedArray(bytes);
    return this.pixels.subarray(0, bytes);
  }

  private canvasFor(width: number, height: number, label: string): Context2D {
    if (width * height > KEEP_PIXELS) return make2dCanvas(width, height, label);
    const canvas = this.ctx?.canvas;
    if (this.ctx && canvas && canvas.width >= width && canvas.height >= height) return this.ctx;
    this.ctx = make2dCanvas(Math.max(width, canvas?.width ?? 0), Math.max(height, canvas?.height ?? 0), label);
    return this.ctx;
  }
}
