"""Draw the fallback app icon (packaging/icons/recamera-wizard.png) with Pillow.

Used only when resources/icons has no app icon; PyInstaller turns the PNG into the .ico/.icns it
needs. Kept as a script so the committed PNG can be re-made and changed by anyone:
    python packaging/icons/make_icon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 1024  # macOS wants a 1024 px master for the Retina 512@2x slot
OUT = Path(__file__).resolve().parent / "recamera-wizard.png"


def draw(size: int = SIZE) -> Image.Image:
    scale = size / 1024
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def box(x0, y0, x1, y1):
        return [round(v * scale) for v in (x0, y0, x1, y1)]

    # Rounded square in Seeed-like green, with the macOS icon grid's margin.
    pen.rounded_rectangle(box(100, 100, 924, 924), radius=round(185 * scale), fill=(46, 160, 67))
    # Camera body and lens: "reCamera".
    pen.rounded_rectangle(box(230, 340, 794, 740), radius=round(60 * scale), fill=(255, 255, 255))
    pen.rounded_rectangle(box(300, 290, 440, 360), radius=round(20 * scale), fill=(255, 255, 255))
    pen.ellipse(box(382, 410, 642, 670), fill=(46, 160, 67))
    pen.ellipse(box(442, 470, 582, 610), fill=(20, 60, 30))
    # Wizard's spark in the corner: "Model Wizard".
    pen.polygon(
        [tuple(round(v * scale) for v in point) for point in
         ((760, 180), (790, 250), (860, 280), (790, 310), (760, 380), (730, 310), (660, 280), (730, 250))],
        fill=(255, 214, 0),
    )
    return image


if __name__ == "__main__":
    draw().save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
