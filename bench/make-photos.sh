#!/usr/bin/env bash
# Base photos for the library cases of `npm run bench` (not in git): a few phone-sized JPEGs
# (4032×3024) and 640×480 JPEGs. The bench page (bench/library-page.js) turns each base photo into
# many distinct files by inserting an EXIF orientation segment (1/6/3/8, as phones write them) and
# a unique JPEG comment (different sha-256, identical decode work), so 2,000 photos need only these.
#   bench/make-photos.sh [OUT_DIR]      (default /tmp/siglip-bench-photos)
set -euo pipefail
out="${1:-/tmp/siglip-bench-photos}"
mkdir -p "$out"
for i in $(seq 0 7); do
  for size in 4032x3024 640x480; do
    f="$out/photo_${size}_$i.jpg"
    [[ -s $f ]] && continue
    # Smooth gradient + shapes + mild noise: compresses like a real photo (a few MB at 12 MP), not like pure noise.
    convert -size "$size" "gradient:hsl($((i * 45)),70%,40%)-hsl($((i * 45 + 120)),60%,70%)" \
      -fill "hsla($((i * 30 + 10)),80%,50%,0.7)" -draw "ellipse 40%,40% 20%,15% 0,360" \
      -fill "hsla($((i * 50 + 90)),70%,30%,0.6)" -draw "rectangle 55%,50% 90%,85%" \
      -attenuate 0.25 +noise Gaussian -quality 88 "$f" 2>/dev/null || \
    convert -size "$size" "gradient:hsl($((i * 45)),70%,40%)-hsl($((i * 45 + 120)),60%,70%)" \
      -attenuate 0.25 +noise Gaussian -quality 88 "$f"
  done
done
ls -la "$out"
