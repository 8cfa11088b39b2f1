"""Photos above 100 MP, written into OUTDIR, with what Python makes of them (JSON on stdout):
load_image (open, exif_transpose, convert RGB) + SiglipImageProcessorPil of the fixture model.

  python3 big_photos.py OUTDIR

- big_108mp_exif6.jpg: a 12000x9000 JPEG with EXIF orientation 6 (a 108 MP phone photo, portrait):
  Pillow only warns (DecompressionBombWarning) and loads it.
- bomb_png.png, bomb_jpeg.jpg: tiny files whose headers claim 13400x13400 and 14000x13000 pixels,
  past 2 x Image.MAX_IMAGE_PIXELS: Pillow raises DecompressionBombError.
"""
import hashlib
import io
import json
import os
import struct
import sys
import warnings
import zlib

import numpy as np
from PIL import Image
from transformers import SiglipImageProcessorPil
from transformers.image_utils import load_image

MODEL = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "siglip-shapes")


def big_jpeg(path):
    # A small scene scaled up: smooth areas and edges, like a photo, without gigabytes of numpy.
    small = Image.new("RGB", (1200, 900))
    px = np.zeros((900, 1200, 3), np.uint8)
    y, x = np.mgrid[0:900, 0:1200]
    px[..., 0] = (x * 255 // 1199).astype(np.uint8)
    px[..., 1] = (y * 255 // 899).astype(np.uint8)
    px[..., 2] = (((x // 75) + (y // 75)) % 2 * 200).astype(np.uint8)
    small = Image.fromarray(px)
    big = small.resize((12000, 9000), Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x0112] = 6
    big.save(path, "JPEG", quality=85, exif=exif.tobytes())


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(path):
    ihdr = struct.pack(">IIBBBBB", 13400, 13400, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def bomb_jpeg(path):
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    p = 2
    while p < len(data):
        length = struct.unpack(">H", data[p + 2 : p + 4])[0]
        if data[p + 1] == 0xC0:
            struct.pack_into(">HH", data, p + 5, 13000, 14000)
            break
        p += 2 + length
    with open(path, "wb") as f:
        f.write(bytes(data))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    processor = SiglipImageProcessorPil.from_pretrained(MODEL)
    writers = {"big_108mp_exif6.jpg": big_jpeg, "bomb_png.png": bomb_png, "bomb_jpeg.jpg": bomb_jpeg}
    result = {}
    for name, write in writers.items():
        path = os.path.join(out, name)
        write(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                rgb = load_image(path)
            pv = processor(images=[rgb], return_tensors="np")["pixel_values"].astype(np.float32)
            levels = np.rint((pv[0].astype(np.float64) + 1) * 127.5).astype(np.uint8)
            result[name] = {"loads": True, "width": rgb.width, "height": rgb.height, "levels_sha256": hashlib.sha256(levels.tobytes()).hexdigest()}
        except Exception as e:  # noqa: BLE001 - the error Pillow raises is the expectation
            result[name] = {"loads": False, "error": f"{type(e).__name__}: {e}"[:200]}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
