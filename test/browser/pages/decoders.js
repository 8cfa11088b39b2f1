// Decodes every test/fixtures/decoders image through the public SiglipImageProcessor (as a user
// would) and reports the difference to Pillow's RGB in 8-bit levels. Shared by the Playwright
// test (Chromium) and scripts/measure-decoders.mjs (Firefox ESR, WebKitGTK).
import * as SiglipWeb from '../../../dist/siglip-web.mjs';

const FIXTURES = new URL('../../fixtures/decoders/', import.meta.url).href;

// The model's normalisation without the resize: pixel values map 1:1 to RGB levels (v / 127.5 - 1).
const CONFIG = { do_resize: false, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };

async function measureDecoders() {
  const manifest = await (await fetch(new URL('manifest.json', FIXTURES))).json();
  const fetchConfig = async () => new Response(JSON.stringify(CONFIG));
  const ip = await SiglipWeb.SiglipImageProcessor.fromPretrained(FIXTURES, { fetch: fetchConfig });
  const out = [];
  for (const { file } of manifest.images) {
    try {
      const got = await ip.process(new URL(`images/${file}`, FIXTURES).href);
      const want = await ip.process(new URL(`expected/${file}.png`, FIXTURES).href);
      if (got.dims.join() !== want.dims.join()) throw new Error(`dims ${got.dims.join()} vs ${want.dims.join()}`);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < got.pixelValues.length; i++) {
        // Round away the float32 noise of the normalisation: differences are whole levels.
        const d = Math.round(Math.abs(got.pixelValues[i] - want.pixelValues[i]) * 127.5);
        if (d > max) max = d;
        sum += d;
      }
      out.push({ file, max, mean: sum / got.pixelValues.length });
    } catch (err) {
      out.push({ file, max: null, mean: null, error: String(err && err.message ? err.message : err) });
    }
  }
  return out;
}

window.measureDecoders = measureDecoders;
window.decodersReady = true;
