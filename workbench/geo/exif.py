"""What a photo's EXIF says about where and when it was taken, and by what.

:func:`read_exif` reads the bytes of an image (JPEG, PNG, WebP, TIFF: whatever Pillow opens) and
returns an :class:`ExifInfo`. EXIF is hostile input, often broken by the apps a photo went
through, so reading it never fails on a bad field: the field is left out and the reason is listed
in ``problems``. Only bytes that are no image at all raise :class:`ImageReadError`, which a caller
looping over media catches to record the reason and go on to the next file.

How bad or odd GPS data is read:

- ``GPSLatitude``/``GPSLongitude`` hold degrees, minutes, seconds (3 values). One value is taken as
  decimal degrees and two as degrees and decimal minutes, with a problem noted; any other count,
  a zero denominator (unknown value), a negative part or minutes/seconds of 60 or more drop the
  position.
- A missing or unknown ``GPSLatitudeRef``/``GPSLongitudeRef`` drops the position (unless the value
  is 0): guessing the hemisphere would put a photo on the wrong continent, and a confident wrong
  place is worse than none. The unsigned value is quoted in the problem for the analyst.
- A latitude beyond 90 or a longitude beyond 180 drops the position; the rest is kept.
- 0, 0 ("null island") is kept, with a problem: it is what a GPS without a fix writes.
- ``GPSStatus`` V (measurement void) keeps the position, with a problem: it may be stale.
- ``GPSAltitudeRef`` 1 means below sea level; missing means above (the EXIF default).
- Damage Pillow reports while parsing (a truncated EXIF block, offsets pointing past its end) is
  listed as a problem; whatever it could still read is used.
- A JPEG Pillow will not open (a partial download; a size over Pillow's decompression-bomb limit,
  which a 200-megapixel phone photo can pass) still has its EXIF read from the APP1 segment;
  ``width``/``height`` are then None.

Pillow reports EXIF damage as warnings, caught here with :func:`warnings.catch_warnings`, which swaps
the process-wide warning filters: read in processes, not threads, when ``problems`` must be complete.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from struct import error as struct_error

from PIL import ExifTags, Image, UnidentifiedImageError
from PIL.TiffImagePlugin import IFDRational

from workbench.errors import WorkbenchError

GPS = ExifTags.GPS
TAG = ExifTags.Base

#: Words in ``Software`` that name an editing app (matched as whole words, ignoring case).
EDITORS = ("Photoshop", "Lightroom", "GIMP", "Snapseed", "Affinity Photo", "Pixelmator", "PicsArt",
           "Paint.NET", "Luminar", "Capture One", "darktable", "RawTherapee", "ACDSee", "PaintShop",
           "Photopea", "Picasa", "Canva", "VSCO", "Facetune", "Fotor", "Photoscape", "Meitu",
           "Polarr", "Lensa", "Remini", "PhotoDirector", "Afterlight")
_EDITOR_RE = re.compile(r"\b(?:" + "|".join(re.escape(e) for e in EDITORS) + r")\b", re.IGNORECASE)
_OFFSET_RE = re.compile(r"[+-](?:0\d|1[0-4]):[0-5]\d")
#: What Pillow's EXIF parser has been seen to raise on damaged bytes, besides its warnings.
_PARSE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct_error)
_NO_BLOCKS: dict[str, dict] = {"ifd0": {}, "exif": {}, "gps": {}}


class ImageReadError(WorkbenchError):
    """The bytes are not an image Pillow can open (nor a damaged JPEG with an EXIF segment).

    ``reason`` is what Pillow said; ``size`` the number of bytes given.
    """

    def __init__(self, message: str, *, reason: str, size: int, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.reason = reason
        self.size = size


@dataclass(frozen=True)
class ExifInfo:
    """What one image's EXIF says. Every field is None when absent or unusable (see ``problems``).

    ``lat``/``lon`` are signed decimal degrees (south and west negative), ``altitude`` metres
    (negative below sea level), ``gps_time`` the UTC time of the GPS fix. ``taken_at`` is
    DateTimeOriginal as the camera wrote it, in its local time with no zone
    (``"2024-03-08T02:12:44"``); ``taken_offset`` is OffsetTimeOriginal (``"+01:00"``) when written.
    ``modified_at`` is DateTime, which editing software updates. ``width``/``height`` are the
    image's real pixel size and ``exif_width``/``exif_height`` the size EXIF claims
    (PixelXDimension/PixelYDimension). ``format`` is Pillow's name for the file type ("JPEG").
    """

    lat: float | None = None
    lon: float | None = None
    altitude: float | None = None
    gps_time: datetime | None = None
    taken_at: str | None = None
    taken_offset: str | None = None
    modified_at: str | None = None
    make: str | None = None
    model: str | None = None
    software: str | None = None
    width: int | None = None
    height: int | None = None
    exif_width: int | None = None
    exif_height: int | None = None
    format: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def has_position(self) -> bool:
        """True when the photo carries a usable GPS position."""
        return self.lat is not None and self.lon is not None

    @property
    def taken_at_utc(self) -> datetime | None:
        """DateTimeOriginal in UTC, when OffsetTimeOriginal says which zone it is in; else None."""
        if self.taken_at is None or self.taken_offset is None:
            return None
        sign = -1 if self.taken_offset[0] == "-" else 1
        hours, minutes = int(self.taken_offset[1:3]), int(self.taken_offset[4:6])
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime.fromisoformat(self.taken_at).replace(tzinfo=zone).astimezone(UTC)


class _Unusable(ValueError):
    """One field cannot be used; the message goes into ``problems``."""


def read_exif(data: bytes) -> ExifInfo:
    """Read the EXIF of an image given as bytes: GPS position, altitude and time, camera, times taken.

    Bad or missing fields are left out with the reason in ``problems`` (see the module docstring for
    each rule). Raises :class:`ImageReadError` when the bytes are not an image at all, and
    ``TypeError`` when they are not bytes.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"read_exif needs the image's bytes, not {type(data).__name__}")
    data = bytes(data)
    problems: list[str] = []
    size: tuple[int | None, int | None] = (None, None)
    file_format = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            image = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                struct_error) as error:
            blocks = _salvage(data, error, problems)
        else:
            with image:
                size, file_format = image.size, image.format
                try:
                    blocks = (_NO_BLOCKS if _png_without_exif(image, data)
                              else _parsed(image.getexif(), image.info.get("exif"), problems))
                except _PARSE_ERRORS as error:
                    problems.append(f"EXIF cannot be read: {error}")
                    blocks = _NO_BLOCKS
    for warning in caught:
        if not issubclass(warning.category, Image.DecompressionBombWarning):
            problems.append(f"EXIF is damaged: {' '.join(str(warning.message).split())}")
    info = _fields(blocks, problems)
    return ExifInfo(**info, width=size[0], height=size[1], format=file_format,
                    problems=tuple(dict.fromkeys(problems)))


def edits_flagged(info: ExifInfo) -> list[str]:
    """Signs in the EXIF that the picture was edited after it was taken; empty when there are none.

    Looks for an editing app named in Software, a DateTime (last modified) that differs from
    DateTimeOriginal, and a pixel size that differs from the one EXIF records (resized or cropped).
    Absence of signs proves nothing: most editors can write any EXIF they like.
    """
    signs = []
    if info.software and (match := _EDITOR_RE.search(info.software)):
        signs.append(f"Software names an editor ({match.group(0)}): {info.software!r}")
    if info.modified_at and info.taken_at and info.modified_at != info.taken_at:
        signs.append(f"DateTime (last modified) {info.modified_at} differs from "
                     f"DateTimeOriginal {info.taken_at}")
    real = {info.width, info.height}
    claimed = {info.exif_width, info.exif_height}
    if None not in real and None not in claimed and real != claimed:
        signs.append(f"image is {info.width}x{info.height} pixels but EXIF says "
                     f"{info.exif_width}x{info.exif_height} (resized or cropped)")
    return signs


# -- reading the blocks ---------------------------------------------------------------------------

def _parsed(exif: Image.Exif, raw: bytes | None, problems: list[str]) -> dict[str, dict]:
    """The three blocks we use as plain dicts; a block Pillow cannot parse is empty, with a problem.

    ``raw`` is the EXIF block as found in the file: Pillow is silent about one cut short before its
    first tag.
    """
    blocks = {"ifd0": dict(exif)}
    tiff = raw.removeprefix(b"Exif\x00\x00") if raw else b""
    if 0 < len(tiff) < 10:  # a TIFF header (8 bytes) and the first IFD's tag count (2)
        problems.append(f"EXIF block of {len(raw)} bytes is cut short before its first tag")
    for name, tag in (("exif", ExifTags.IFD.Exif), ("gps", ExifTags.IFD.GPSInfo)):
        try:
            blocks[name] = dict(exif.get_ifd(tag))
        except _PARSE_ERRORS as error:
            problems.append(f"the {name.upper()} block of EXIF cannot be read: {error}")
            blocks[name] = {}
    return blocks


def _png_without_exif(image: Image.Image, data: bytes) -> bool:
    """A PNG with no EXIF chunk anywhere: Pillow would decode every pixel looking for one after them."""
    return image.format == "PNG" and b"eXIf" not in data and b"Raw profile type exif" not in data


def _salvage(data: bytes, error: Exception, problems: list[str]) -> dict[str, dict]:
    """EXIF from the APP1 segment of a JPEG that Pillow cannot open; raise if there is none."""
    if isinstance(error, UnidentifiedImageError):  # its message names a BytesIO object: no help
        reason = "not an image format Pillow knows" if data else "no bytes at all"
    else:
        reason = " ".join(str(error).split()) or type(error).__name__
    segment = _jpeg_exif_segment(data)
    if segment is None:
        raise ImageReadError(f"not an image that can be read ({len(data)} bytes): {reason}",
                             reason=reason, size=len(data),
                             hint="skip this file; only images carry EXIF")
    problems.append(f"the image cannot be opened ({reason}); EXIF read from its APP1 segment")
    exif = Image.Exif()
    try:
        exif.load(segment)
    except _PARSE_ERRORS as load_error:
        problems.append(f"EXIF cannot be read: {load_error}")
        return _NO_BLOCKS
    return _parsed(exif, segment, problems)


def _jpeg_exif_segment(data: bytes) -> bytes | None:
    """The payload of a JPEG's EXIF APP1 segment (cut short if the file is), or None.

    Walks the marker segments before the image data, so bytes inside other segments are not taken
    for a marker.
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: no more metadata segments
            return None
        length = int.from_bytes(data[at + 2:at + 4], "big")
        payload = data[at + 4:at + 2 + length]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            return payload
        at += 2 + length
    return None


# -- the fields -----------------------------------------------------------------------------------

def _fields(blocks: dict[str, dict], problems: list[str]) -> dict:
    """ExifInfo's EXIF fields from the parsed blocks."""
    ifd0, sub, gps = blocks["ifd0"], blocks["exif"], blocks["gps"]
    lat, lon = _position(gps, problems)
    offset = _text("OffsetTimeOriginal", sub.get(TAG.OffsetTimeOriginal), problems)
    if offset is not None and not _OFFSET_RE.fullmatch(offset):
        problems.append(f"OffsetTimeOriginal {offset!r} is not an offset like +01:00; ignored")
        offset = None
    exif_width, exif_height = (_count(name, sub.get(tag), problems) for name, tag in
                               (("PixelXDimension", TAG.ExifImageWidth),
                                ("PixelYDimension", TAG.ExifImageHeight)))
    return {
        "lat": lat, "lon": lon,
        "altitude": _guard(_altitude, gps, problems),
        "gps_time": _guard(_gps_time, gps, problems),
        # Some writers put DateTimeOriginal in IFD0 instead of the Exif block.
        "taken_at": _timestamp("DateTimeOriginal",
                               sub.get(TAG.DateTimeOriginal, ifd0.get(TAG.DateTimeOriginal)), problems),
        "taken_offset": offset,
        "modified_at": _timestamp("DateTime", ifd0.get(TAG.DateTime), problems),
        "make": _text("Make", ifd0.get(TAG.Make), problems),
        "model": _text("Model", ifd0.get(TAG.Model), problems),
        "software": _text("Software", ifd0.get(TAG.Software), problems),
        "exif_width": exif_width, "exif_height": exif_height,
    }


def _guard(read, gps: dict, problems: list[str]):
    try:
        return read(gps, problems)
    except _Unusable as error:
        problems.append(str(error))
        return None


def _position(gps: dict, problems: list[str]) -> tuple[float | None, float | None]:
    has_lat, has_lon = GPS.GPSLatitude in gps, GPS.GPSLongitude in gps
    if not has_lat and not has_lon:
        return None, None
    if has_lat != has_lon:
        present, absent = ("GPSLatitude", "GPSLongitude") if has_lat else ("GPSLongitude", "GPSLatitude")
        problems.append(f"{present} without {absent}; position not used")
        return None, None
    try:
        lat = _coordinate(gps, "Latitude", 90, "NS", problems)
        lon = _coordinate(gps, "Longitude", 180, "EW", problems)
    except _Unusable as error:
        problems.append(f"{error}; position not used")
        return None, None
    if lat == 0 and lon == 0:
        problems.append('position 0, 0 ("null island"): usually written by a GPS without a fix')
    status = _text("GPSStatus", gps.get(GPS.GPSStatus), problems)
    if status and status.upper() == "V":
        problems.append("GPSStatus is V (measurement void): the position may be stale")
    return lat, lon


def _coordinate(gps: dict, axis: str, limit: int, hemispheres: str, problems: list[str]) -> float:
    """One signed coordinate from GPS<axis> and GPS<axis>Ref; raises _Unusable."""
    name = f"GPS{axis}"
    parts = _numbers(name, gps[getattr(GPS, name)])
    if any(part < 0 for part in parts):
        raise _Unusable(f"{name} has a negative part {_show(parts)}")
    if len(parts) == 1:
        problems.append(f"{name} has 1 value, read as decimal degrees")
    elif len(parts) == 2:
        problems.append(f"{name} has 2 values, read as degrees and decimal minutes")
    elif len(parts) != 3:
        raise _Unusable(f"{name} has {len(parts)} values {_show(parts)}")
    if any(part >= 60 for part in parts[1:]):
        raise _Unusable(f"{name} {_show(parts)} has minutes or seconds of 60 or more")
    value = sum(part / 60 ** i for i, part in enumerate(parts))
    if value > limit:
        raise _Unusable(f"{axis.lower()} {value:g} out of range (at most {limit})")
    ref = _text(f"{name}Ref", gps.get(getattr(GPS, f"{name}Ref")), problems)
    if value == 0:
        return 0.0
    if ref is None:
        raise _Unusable(f"{name}Ref missing, so the hemisphere of {axis.lower()} {value:g} is unknown")
    ref = ref.upper()
    if ref not in hemispheres:
        raise _Unusable(f"{name}Ref {ref!r} is not {' or '.join(hemispheres)}")
    return -value if ref == hemispheres[1] else value


def _altitude(gps: dict, problems: list[str]) -> float | None:
    if GPS.GPSAltitude not in gps:
        return None
    parts = _numbers("GPSAltitude", gps[GPS.GPSAltitude])
    if len(parts) != 1:
        raise _Unusable(f"GPSAltitude has {len(parts)} values {_show(parts)}; altitude not used")
    ref = gps.get(GPS.GPSAltitudeRef, 0)
    if isinstance(ref, bytes):  # Pillow gives the BYTE type as bytes
        ref = ref[0] if len(ref) == 1 else ref
    if ref not in (0, 1):
        raise _Unusable(f"GPSAltitudeRef {ref!r} is not 0 (above sea level) or 1 (below); "
                        "altitude not used")
    return -abs(parts[0]) if ref == 1 else parts[0]


def _gps_time(gps: dict, problems: list[str]) -> datetime | None:
    has_date, has_time = GPS.GPSDateStamp in gps, GPS.GPSTimeStamp in gps
    if not (has_date and has_time):
        if has_date or has_time:
            problems.append("GPSTimeStamp without GPSDateStamp; no GPS time" if has_time
                            else "GPSDateStamp without GPSTimeStamp; no GPS time")
        return None
    date = _text("GPSDateStamp", gps[GPS.GPSDateStamp], problems)
    parts = _numbers("GPSTimeStamp", gps[GPS.GPSTimeStamp])
    if len(parts) != 3:
        raise _Unusable(f"GPSTimeStamp has {len(parts)} values {_show(parts)}; no GPS time")
    hours, minutes, seconds = parts
    try:
        day = datetime.strptime((date or "").replace("-", ":"), "%Y:%m:%d")
        if not (hours == int(hours) < 24 and minutes == int(minutes) < 60 and seconds < 60):
            raise ValueError
    except ValueError:
        raise _Unusable(f"GPS time {date!r} {_show(parts)} is not a valid date and time") from None
    return (day + timedelta(hours=hours, minutes=minutes, seconds=seconds)).replace(tzinfo=UTC)


# -- values ---------------------------------------------------------------------------------------

def _numbers(name: str, value) -> tuple[float, ...]:
    """A numeric field as floats; raises _Unusable for text, zero denominators, NaN or infinity."""
    values = value if isinstance(value, tuple | list) else (value,)
    out = []
    for item in values:
        if isinstance(item, IFDRational) and item.denominator == 0:
            raise _Unusable(f"{name} has a zero denominator (value unknown)")
        if not isinstance(item, numbers.Real) or isinstance(item, bool):
            raise _Unusable(f"{name} is not a number: {item!r:.40}")
        number = float(item)
        if not math.isfinite(number):
            raise _Unusable(f"{name} is not a finite number")
        out.append(number)
    if not out:
        raise _Unusable(f"{name} is empty")
    return tuple(out)


def _show(parts: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{p:g}" for p in parts) + ")"


def _text(name: str, value, problems: list[str]) -> str | None:
    """A text field stripped of NUL padding and spaces; None when absent, empty or not text."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        problems.append(f"{name} is not text: {value!r:.40}; ignored")
        return None
    return value.strip("\x00 \t\r\n") or None


def _timestamp(name: str, value, problems: list[str]) -> str | None:
    """An EXIF date-time ("2024:03:08 02:12:44") as ISO text with no zone, or None."""
    text = _text(name, value, problems)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        problems.append(f"{name} {text!r:.40} is not a date and time; ignored")
        return None
    return moment.isoformat()


def _count(name: str, value, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    problems.append(f"{name} {value!r:.40} is not a pixel count; ignored")
    return None
