"""A fake camera for Chromium: a Y4M video whose frames show a QR code, as a phone would see a
ticket held up to it (Chromium reads it with ``--use-file-for-fake-video-capture``)."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image

WIDTH, HEIGHT = 640, 480
FRAMES = 5  # Chromium loops the file


def qr_video(text: str, path: Path) -> Path:
    """Write a short 4:2:0 Y4M clip of ``text``'s QR code, centred on white, and return its path."""
    png = io.BytesIO()
    segno.make_qr(text, error="m").save(png, kind="png", scale=4, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("L")
    side = min(HEIGHT - 40, code.width * max(1, (HEIGHT - 40) // code.width))
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(
        code.resize((side, side), Image.Resampling.NEAREST), ((WIDTH - side) // 2, (HEIGHT - side) // 2)
    )
    luma = frame.tobytes()
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))  # no colour: U and V at their middle
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path
