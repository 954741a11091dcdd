"""What the picture pipeline costs per image (issue 15): verify (sniff, header check, full decode,
orientation, colour profile) plus the renditions (320/640/1024/1600 px, WebP and JPEG), measured on
the demo's 19 pictures (1600x900 JPEG) and on camera-sized photos made with Pillow.

    .venv/bin/python benchmarks/picture_cost.py [--repeat 3]

Storage is left out (a write of ~300 KB per picture to the data folder); fetching is the feeds'
fetcher and depends on the network.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def camera_photo(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (90, 140, 200))
    draw = ImageDraw.Draw(image)
    for n in range(0, width, 37):
        draw.line([(n, 0), (width - n, height)], fill=(n % 255, 120, 200 - n % 150), width=9)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    import django
    from django.conf import settings
    if not settings.configured:
        settings.configure(WIREDESK_IMAGE_MAX_PIXELS=40_000_000)
    django.setup()
    from wiredesk.demo.draw import PICTURES_DIR
    from wiredesk.newsroom import images

    sets = {"demo 1600x900": [p.read_bytes() for p in sorted(PICTURES_DIR.glob("*.jpg"))],
            "photo 4000x3000": [camera_photo(4000, 3000)],
            "photo 2048x1365": [camera_photo(2048, 1365)]}
    for name, files in sets.items():
        verify_ms, render_ms, out_bytes = [], [], []
        for _ in range(options.repeat):
            for data in files:
                started = time.perf_counter()
                verified = images.verify(data, "image/jpeg")
                middle = time.perf_counter()
                renditions = images.render(verified.image)
                done = time.perf_counter()
                verify_ms.append(1000 * (middle - started))
                render_ms.append(1000 * (done - middle))
                out_bytes.append(sum(len(r.webp) + len(r.jpeg) for r in renditions))
        total = [v + r for v, r in zip(verify_ms, render_ms, strict=True)]
        print(f"{name:16} {len(files):2d} files: verify {statistics.median(verify_ms):6.0f} ms, "
              f"renditions {statistics.median(render_ms):6.0f} ms, total median "
              f"{statistics.median(total):6.0f} ms (max {max(total):.0f}), "
              f"{statistics.median(out_bytes) / 1024:.0f} KB written per picture")


if __name__ == "__main__":
    main()
