#!/usr/bin/env python3
"""Draws build/icon.png, the package icon (128x128): a 3x3 kernel sliding over a feature map.

Standard library only (zlib + struct), so anyone can redraw it; the PNG is committed and packed as is.
"""
import struct
import sys
import zlib

SIZE = 128
BACKGROUND = (24, 38, 77)      # deep blue
GRID = (52, 78, 140)           # the input feature map's cells
KERNEL = (255, 176, 46)        # the 3x3 window
OUTPUT = (98, 209, 170)        # the cell it produces


def pixel(x, y):
    # Rounded square: transparent outside a 16-pixel corner radius.
    r = 16
    cx = min(max(x, r), SIZE - 1 - r)
    cy = min(max(y, r), SIZE - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    # A 6x6 map of 16-pixel cells with 2-pixel gaps, starting at 14.
    gx, gy = (x - 14) // 17, (y - 14) // 17
    inside = 0 <= gx < 6 and 0 <= gy < 6 and (x - 14) % 17 < 15 and (y - 14) % 17 < 15
    if not inside:
        return BACKGROUND + (255,)
    if (gx, gy) == (4, 4):
        return OUTPUT + (255,)
    if 1 <= gx <= 3 and 1 <= gy <= 3:
        return KERNEL + (255,)
    return GRID + (255,)


def png(width, height, rgba):
    raw = b"".join(b"\x00" + bytes(c for x in range(width) for c in rgba(x, y)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "build/icon.png"
    with open(out, "wb") as f:
        f.write(png(SIZE, SIZE, pixel))
