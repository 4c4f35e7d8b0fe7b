"""Tiny JPEG photos for the demo, with the EXIF a phone writes: camera, time taken and GPS.

Real platforms strip EXIF from uploaded photos; the demo keeps it in the exports' media so the
workbench's EXIF step has something to find (as it would in photos sent as files, or seized).
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from workbench.demo import story

SIZE = (64, 48)
CAMERAS = (("Apple", "iPhone 13"), ("samsung", "SM-S911B"), ("Google", "Pixel 7"),
           ("Xiaomi", "2201117TY"), ("Apple", "iPhone 12 mini"))
SCENES = ("fire", "smoke", "crowd", "roadblock", "night")
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 100)


def _draw(scene: str, rng: random.Random) -> Image.Image:
    """A few shapes that suggest the scene at thumbnail size."""
    sky = {"fire": (25, 20, 35), "night": (10, 12, 30), "smoke": (120, 110, 100),
           "crowd": (150, 170, 190), "roadblock": (160, 180, 200)}[scene]
    image = Image.new("RGB", SIZE, sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 36, 63, 47), fill=(40, 40, 40))  # the ground
    if scene in ("fire", "night"):
        x = rng.randrange(10, 40)
        draw.ellipse((x, 14, x + 18, 40), fill=(240, 110 + rng.randrange(60), 20))
        draw.rectangle((x - 6, 28, x + 24, 36), fill=(70, 70, 75))  # tanks
    if scene == "smoke":
        for _ in range(6):
            x, y = rng.randrange(0, 56), rng.randrange(0, 30)
            draw.ellipse((x, y, x + 14, y + 10), fill=(70, 65, 60))
    if scene == "crowd":
        for _ in range(40):
            x, y = rng.randrange(0, 63), rng.randrange(28, 46)
            draw.point((x, y), fill=rng.choice(((200, 30, 30), (20, 20, 20), (240, 240, 240))))
    if scene == "roadblock":
        for i in range(0, 64, 8):
            draw.rectangle((i, 30, i + 3, 34), fill=(220, 30, 30))
            draw.rectangle((i + 4, 30, i + 7, 34), fill=(240, 240, 240))
    return image


def photo(rng: random.Random, when: datetime, lat: float, lon: float,
          scene: str | None = None) -> bytes:
    """A 64x48 JPEG taken at ``when`` (local time in EXIF) at ``lat``/``lon``."""
    scene = scene or rng.choice(SCENES)
    make, model = rng.choice(CAMERAS)
    local = when.astimezone(story.LOCAL)
    stamp = local.strftime("%Y:%m:%d %H:%M:%S")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = make, model, stamp
    exif[0x0131] = "17.3.1" if make == "Apple" else "Android 14"
    sub = exif.get_ifd(EXIF_IFD)
    sub[0x9003] = sub[0x9004] = stamp  # DateTimeOriginal, DateTimeDigitized
    sub[0x9011] = "+01:00"  # OffsetTimeOriginal
    gps = exif.get_ifd(GPS_IFD)
    gps[0] = b"\x02\x02\x00\x00"  # GPSVersionID
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    gps[5], gps[6] = b"\x00", IFDRational(rng.randrange(0, 3000), 100)  # metres above sea level
    utc = when.astimezone(UTC)
    gps[7] = (IFDRational(utc.hour, 1), IFDRational(utc.minute, 1), IFDRational(utc.second, 1))
    gps[29] = utc.strftime("%Y:%m:%d")
    buffer = io.BytesIO()
    _draw(scene, rng).save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


def gps_of(data: bytes) -> tuple[float, float] | None:
    """Read back the GPS position of a JPEG, as decimal degrees (None if it has none)."""
    exif = Image.open(io.BytesIO(data)).getexif()
    gps = exif.get_ifd(GPS_IFD)
    if 2 not in gps or 4 not in gps:
        return None

    def degrees(dms, ref) -> float:
        value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
        return -value if ref in ("S", "W") else value

    return degrees(gps[2], gps.get(1)), degrees(gps[4], gps.get(3))
