"""EXIF reading: real images written with Pillow, good and broken, read back to exact values."""

from __future__ import annotations

import io
import random
import struct
from datetime import UTC, datetime

import pytest
from PIL import Image, features
from PIL.TiffImagePlugin import IFDRational as R

from workbench.demo import images
from workbench.errors import WorkbenchError
from workbench.geo.exif import ExifInfo, ImageReadError, edits_flagged, read_exif

GPS_IFD, EXIF_IFD = 0x8825, 0x8769


def dms(degrees: int, minutes: int, hundredths_of_seconds: int) -> tuple[R, R, R]:
    """Degrees, minutes, seconds as the rationals a phone writes (seconds in hundredths)."""
    return R(degrees, 1), R(minutes, 1), R(hundredths_of_seconds, 100)


def photo(gps: dict | None = None, ifd0: dict | None = None, sub: dict | None = None,
          fmt: str = "JPEG", size: tuple[int, int] = (16, 12)) -> bytes:
    """A small image in ``fmt`` with the given EXIF tags (IFD0, Exif block, GPS block)."""
    exif = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        exif[tag] = value
    if sub:
        exif.get_ifd(EXIF_IFD).update(sub)
    if gps:
        exif.get_ifd(GPS_IFD).update(gps)
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(buffer, fmt, **({"exif": exif} if gps or ifd0 or sub else {}))
    return buffer.getvalue()


def raw_exif(gps_entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """An EXIF block written byte by byte, for field types Pillow would refuse to write.

    ``gps_entries`` are (tag, TIFF type, count, value bytes); IFD0 holds only the GPS pointer.
    """
    gps_at = 8 + 2 + 12 + 4
    data_at = gps_at + 2 + 12 * len(gps_entries) + 4
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", GPS_IFD, 4, 1, gps_at) + struct.pack("<I", 0)
    entries, extra = b"", b""
    for tag, kind, count, value in gps_entries:
        if len(value) <= 4:
            entries += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")
        else:
            entries += struct.pack("<HHII", tag, kind, count, data_at + len(extra))
            extra += value + b"\x00" * (len(value) % 2)
    gps = struct.pack("<H", len(gps_entries)) + entries + struct.pack("<I", 0)
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd0 + gps + extra


def jpeg_with(exif_block: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=exif_block)
    return buffer.getvalue()


def app1(data: bytes) -> tuple[int, int]:
    """Where the EXIF APP1 segment's length field starts, and the segment's length."""
    at = data.index(b"Exif\x00\x00") - 2
    return at, int.from_bytes(data[at:at + 2], "big")


# -- positions --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lat_ref", "lon_ref", "sign_lat", "sign_lon"), [
    ("N", "E", 1, 1), ("S", "W", -1, -1), ("S", "E", -1, 1), ("N", "W", 1, -1),
])
def test_hemispheres_sign_the_position(lat_ref, lon_ref, sign_lat, sign_lon):
    data = photo({1: lat_ref, 2: dms(52, 22, 312), 3: lon_ref, 4: dms(4, 54, 1476)})
    info = read_exif(data)
    assert info.lat == pytest.approx(sign_lat * (52 + 22 / 60 + 3.12 / 3600), abs=1e-12)
    assert info.lon == pytest.approx(sign_lon * (4 + 54 / 60 + 14.76 / 3600), abs=1e-12)
    assert info.has_position and info.problems == ()


def test_lower_case_and_padded_refs_are_read():
    info = read_exif(photo({1: "s\x00", 2: dms(33, 52, 0), 3: " w", 4: dms(151, 12, 0)}))
    assert (info.lat, info.lon) == (pytest.approx(-(33 + 52 / 60)), pytest.approx(-(151 + 12 / 60)))


def test_degrees_as_one_decimal_value_are_read_and_noted():
    info = read_exif(photo({1: "S", 2: R(3386882, 100000), 3: "E", 4: (R(15120929, 100000),)}))
    assert info.lat == pytest.approx(-33.86882, abs=1e-12)
    assert info.lon == pytest.approx(151.20929, abs=1e-12)
    assert info.problems == ("GPSLatitude has 1 value, read as decimal degrees",
                             "GPSLongitude has 1 value, read as decimal degrees")


def test_degrees_and_decimal_minutes_are_read_and_noted():
    info = read_exif(photo({1: "N", 2: (R(51, 1), R(3075, 100)), 3: "E", 4: dms(4, 28, 0)}))
    assert info.lat == pytest.approx(51 + 30.75 / 60, abs=1e-12)
    assert info.problems == ("GPSLatitude has 2 values, read as degrees and decimal minutes",)


def test_zero_denominator_drops_the_position_and_keeps_the_rest():
    gps = {1: "N", 2: (R(52, 1), R(0, 0), R(0, 0)), 3: "E", 4: dms(4, 54, 0),
           6: R(12, 0), 29: "2024:03:08", 7: (R(1, 1), R(5, 0), R(0, 1))}
    info = read_exif(photo(gps, ifd0={0x010F: "Canon", 0x0110: "EOS R6"}))
    assert (info.lat, info.lon, info.altitude, info.gps_time) == (None, None, None, None)
    assert (info.make, info.model) == ("Canon", "EOS R6")
    assert info.problems == (
        "GPSLatitude has a zero denominator (value unknown); position not used",
        "GPSAltitude has a zero denominator (value unknown)",
        "GPSTimeStamp has a zero denominator (value unknown)",
    )


def test_missing_ref_drops_the_position():
    info = read_exif(photo({2: dms(40, 42, 4600), 3: "W", 4: dms(74, 0, 2160)}))
    assert (info.lat, info.lon) == (None, None)
    assert info.problems == ("GPSLatitudeRef missing, so the hemisphere of latitude 40.7128 is unknown; "
                             "position not used",)


def test_unknown_ref_drops_the_position():
    info = read_exif(photo({1: "N", 2: dms(40, 0, 0), 3: "X", 4: dms(74, 0, 0)}))
    assert info.lat is None
    assert info.problems == ("GPSLongitudeRef 'X' is not E or W; position not used",)


def test_missing_ref_is_harmless_on_a_zero_coordinate():
    info = read_exif(photo({2: dms(0, 0, 0), 3: "E", 4: dms(32, 34, 0)}))
    assert (info.lat, info.lon) == (0.0, pytest.approx(32 + 34 / 60))


@pytest.mark.parametrize(("gps", "problem"), [
    ({1: "N", 2: (R(1234, 10), R(0, 1), R(0, 1)), 3: "E", 4: dms(4, 0, 0)},
     "latitude 123.4 out of range (at most 90); position not used"),
    ({1: "N", 2: dms(52, 0, 0), 3: "W", 4: dms(181, 30, 0)},
     "longitude 181.5 out of range (at most 180); position not used"),
    ({1: "N", 2: dms(52, 75, 0), 3: "E", 4: dms(4, 0, 0)},
     "GPSLatitude (52, 75, 0) has minutes or seconds of 60 or more; position not used"),
    ({1: "N", 2: dms(52, 0, 0) + (R(1, 1),), 3: "E", 4: dms(4, 0, 0)},
     "GPSLatitude has 4 values (52, 0, 0, 1); position not used"),
    ({1: "N", 2: dms(52, 0, 0)}, "GPSLatitude without GPSLongitude; position not used"),
])
def test_out_of_range_or_malformed_drops_only_the_position(gps, problem):
    info = read_exif(photo(gps, ifd0={0x010F: "Nikon"}, sub={0x9003: "2024:03:08 02:12:44"}))
    assert (info.lat, info.lon) == (None, None)
    assert info.problems == (problem,)
    assert (info.make, info.taken_at) == ("Nikon", "2024-03-08T02:12:44")


def test_null_island_is_kept_and_flagged():
    info = read_exif(photo({1: "N", 2: dms(0, 0, 0), 3: "E", 4: dms(0, 0, 0)}))
    assert (info.lat, info.lon) == (0.0, 0.0)
    assert info.problems == ('position 0, 0 ("null island"): usually written by a GPS without a fix',)


def test_void_gps_status_is_flagged():
    info = read_exif(photo({1: "N", 2: dms(52, 0, 0), 3: "E", 4: dms(5, 0, 0), 9: "V"}))
    assert info.has_position
    assert info.problems == ("GPSStatus is V (measurement void): the position may be stale",)


def test_text_where_a_number_belongs_drops_the_position():
    block = raw_exif([(1, 2, 2, b"N\x00"), (2, 2, 5, b"52.1\x00"), (3, 2, 2, b"E\x00"),
                      (4, 5, 1, struct.pack("<II", 4, 1))])
    info = read_exif(jpeg_with(block))
    assert info.lat is None
    assert info.problems == ("GPSLatitude is not a number: '52.1'; position not used",)


def test_a_number_where_a_ref_belongs_drops_the_position():
    block = raw_exif([(1, 4, 1, struct.pack("<I", 78)), (2, 5, 1, struct.pack("<II", 52, 1)),
                      (3, 2, 2, b"E\x00"), (4, 5, 1, struct.pack("<II", 4, 1))])
    info = read_exif(jpeg_with(block))
    assert info.lat is None
    assert info.problems == (
        "GPSLatitude has 1 value, read as decimal degrees",
        "GPSLatitudeRef is not text: 78; ignored",
        "GPSLatitudeRef missing, so the hemisphere of latitude 52 is unknown; position not used",
    )


# -- altitude and time ------------------------------------------------------------------------------

def test_altitude_below_sea_level_is_negative():
    dead_sea = read_exif(photo({1: "N", 2: dms(31, 30, 0), 3: "E", 4: dms(35, 30, 0),
                                5: b"\x01", 6: R(43050, 100)}))
    assert dead_sea.altitude == -430.5
    assert read_exif(photo({5: b"\x00", 6: R(2962, 1)})).altitude == 2962.0
    assert read_exif(photo({6: R(15, 2)})).altitude == 7.5  # no ref: above sea level


def test_unknown_altitude_ref_drops_the_altitude():
    info = read_exif(photo({5: b"\x07", 6: R(10, 1)}))
    assert info.altitude is None
    assert info.problems == ("GPSAltitudeRef 7 is not 0 (above sea level) or 1 (below); altitude not used",)


def test_gps_time_is_utc_from_date_and_time_stamps():
    info = read_exif(photo({29: "2024:03:08", 7: (R(1, 1), R(12, 1), R(445, 10))}))
    assert info.gps_time == datetime(2024, 3, 8, 1, 12, 44, 500000, tzinfo=UTC)
    assert info.problems == ()


def test_gps_time_needs_both_stamps_and_valid_values():
    assert read_exif(photo({7: (R(1, 1), R(2, 1), R(3, 1))})).problems == (
        "GPSTimeStamp without GPSDateStamp; no GPS time",)
    bad = read_exif(photo({29: "2024:02:30", 7: (R(1, 1), R(2, 1), R(3, 1))}))
    assert bad.gps_time is None
    assert bad.problems == ("GPS time '2024:02:30' (1, 2, 3) is not a valid date and time",)
    late = read_exif(photo({29: "2024:02:03", 7: (R(25, 1), R(2, 1), R(3, 1))}))
    assert late.gps_time is None and "(25, 2, 3) is not a valid" in late.problems[0]


def test_taken_at_is_local_text_with_its_offset():
    info = read_exif(photo(sub={0x9003: "2024:03:08 02:12:44", 0x9011: "-05:00"},
                           ifd0={0x0132: "2024:03:08 02:12:44"}))
    assert (info.taken_at, info.taken_offset) == ("2024-03-08T02:12:44", "-05:00")
    assert info.taken_at_utc == datetime(2024, 3, 8, 7, 12, 44, tzinfo=UTC)
    assert info.modified_at == "2024-03-08T02:12:44"
    no_zone = read_exif(photo(sub={0x9003: "2024:03:08 02:12:44"}))
    assert no_zone.taken_offset is None and no_zone.taken_at_utc is None


def test_blank_or_bad_dates_are_dropped_with_a_problem():
    info = read_exif(photo(sub={0x9003: "0000:00:00 00:00:00", 0x9011: "CET"}))
    assert (info.taken_at, info.taken_offset) == (None, None)
    assert info.problems == ("OffsetTimeOriginal 'CET' is not an offset like +01:00; ignored",
                             "DateTimeOriginal '0000:00:00 00:00:00' is not a date and time; ignored")


# -- camera, size, formats --------------------------------------------------------------------------

def test_camera_fields_and_sizes():
    info = read_exif(photo(ifd0={0x010F: "samsung\x00", 0x0110: "SM-S911B ", 0x0131: "S911BXXU1AWBD"},
                           sub={0xA002: 4000, 0xA003: 3000}, size=(40, 30)))
    assert (info.make, info.model, info.software) == ("samsung", "SM-S911B", "S911BXXU1AWBD")
    assert (info.width, info.height, info.exif_width, info.exif_height) == (40, 30, 4000, 3000)
    assert info.format == "JPEG"


def test_no_exif_at_all():
    data = photo(size=(20, 10))
    assert b"Exif" not in data
    assert read_exif(data) == ExifInfo(width=20, height=10, format="JPEG")
    assert read_exif(jpeg_with(Image.Exif().tobytes())) == ExifInfo(width=8, height=8, format="JPEG")


def test_png_without_exif_is_not_decoded():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 4000)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[data.index(b"IDAT") + 20] ^= 0xFF  # damaged pixels would fail to decode, if they were
    assert read_exif(bytes(data)) == ExifInfo(width=4000, height=4000, format="PNG")


def test_png_with_exif():
    info = read_exif(photo({1: "S", 2: dms(34, 36, 1332), 3: "W", 4: dms(58, 22, 5376)},
                           ifd0={0x010F: "Google"}, fmt="PNG"))
    assert info.format == "PNG"
    assert info.lat == pytest.approx(-(34 + 36 / 60 + 13.32 / 3600), abs=1e-12)
    assert info.lon == pytest.approx(-(58 + 22 / 60 + 53.76 / 3600), abs=1e-12)
    assert info.make == "Google"


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_webp_with_exif():
    info = read_exif(photo({1: "N", 2: dms(48, 51, 0), 3: "E", 4: dms(2, 21, 0)}, fmt="WEBP"))
    assert (info.format, info.lat, info.lon) == ("WEBP", pytest.approx(48.85), pytest.approx(2.35))


def test_accepts_bytearray_and_refuses_other_types():
    assert read_exif(bytearray(photo())).format == "JPEG"
    with pytest.raises(TypeError, match="needs the image's bytes, not str"):
        read_exif("photo.jpg")


# -- damage -----------------------------------------------------------------------------------------

def demo_photo() -> bytes:
    when = datetime(2024, 3, 8, 1, 12, 44, tzinfo=UTC)
    return images.photo(random.Random(7), when, 51.9225, 4.47917)


def test_exif_block_cut_short_inside_a_sound_jpeg():
    data = demo_photo()
    at, length = app1(data)
    make = read_exif(data).make

    def cut(keep: int) -> ExifInfo:  # keep this many bytes of the TIFF header and IFDs
        payload = data[at + 2:at + 2 + 6 + keep]
        return read_exif(data[:at] + (len(payload) + 2).to_bytes(2, "big") + payload + data[at + length:])

    assert cut(4) == ExifInfo(width=64, height=48, format="JPEG",
                              problems=("EXIF block of 10 bytes is cut short before its first tag",))
    partly = cut(100)
    assert (partly.width, partly.lat, partly.make, partly.model) == (64, None, make, None)
    assert partly.problems == ("EXIF is damaged: Truncated File Read",)
    assert cut(length - 8 - 20).problems  # all but the end of the GPS block


def test_file_cut_in_its_exif_block_still_gives_what_survives():
    data = demo_photo()
    at, length = app1(data)
    info = read_exif(data[:at + length - 10])  # the last bytes of the EXIF block and all after are lost
    assert (info.width, info.format) == (None, None)
    assert info.problems[0] == ("the image cannot be opened (Truncated File Read); "
                                "EXIF read from its APP1 segment")
    assert info.make is not None and info.taken_at == "2024-03-08T02:12:44"
    early = read_exif(data[:at + 40])
    assert early.lat is None and len(early.problems) >= 2


def test_huge_image_past_the_decompression_bomb_limit_still_gives_its_exif():
    data = bytearray(demo_photo())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)  # height and width in the frame header
    info = read_exif(bytes(data))
    assert info.problems[0].startswith("the image cannot be opened (Image size (3600000000 pixels) exceeds")
    assert info.has_position and info.width is None


@pytest.mark.parametrize(("data", "reason"), [
    (b"this is not a picture, it is a text file\n" * 10, "not an image format Pillow knows"),
    (b"", "no bytes at all"),
    (bytes(random.Random(3).randrange(256) for _ in range(2000)), "not an image format Pillow knows"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "Truncated File Read"),
])
def test_non_images_raise_a_workbench_error(data, reason):
    with pytest.raises(ImageReadError) as caught:
        read_exif(data)
    assert isinstance(caught.value, WorkbenchError)
    assert (caught.value.reason, caught.value.size) == (reason, len(data))
    assert str(caught.value).startswith(f"not an image that can be read ({len(data)} bytes)")


def test_random_damage_never_raises_anything_else():
    data = demo_photo()
    rng = random.Random(11)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(300):
        damaged = bytearray(data[:rng.randrange(len(data))] if rng.random() < 0.3 else data)
        for _ in range(rng.randrange(1, 6)):
            damaged[rng.randrange(min(len(damaged), 500))] = rng.randrange(256)
        try:
            read_exif(bytes(damaged))
            outcomes["read"] += 1
        except ImageReadError:
            outcomes["refused"] += 1
    assert outcomes["read"] > 100 and outcomes["refused"] > 10


# -- the demo's photos and edits --------------------------------------------------------------------

def test_demo_photo_round_trip():
    when = datetime(2024, 3, 8, 1, 12, 44, tzinfo=UTC)
    data = images.photo(random.Random(5), when, 51.92250, 4.47917)
    info = read_exif(data)
    assert abs(info.lat - 51.92250) < 1e-4 and abs(info.lon - 4.47917) < 1e-4
    assert (info.lat, info.lon) == pytest.approx(images.gps_of(data), abs=1e-12)
    assert info.gps_time == when
    assert info.taken_at_utc == when
    assert (info.taken_at, info.taken_offset) == ("2024-03-08T02:12:44", "+01:00")
    assert 0 <= info.altitude < 30
    assert info.make and info.model and info.problems == ()
    assert edits_flagged(info) == []


def test_edits_flagged():
    edited = read_exif(photo(ifd0={0x0131: "Adobe Photoshop 25.0 (Windows)", 0x0132: "2024:03:09 10:00:00"},
                             sub={0x9003: "2024:03:08 02:12:44", 0xA002: 4032, 0xA003: 3024},
                             size=(40, 30)))
    assert edits_flagged(edited) == [
        "Software names an editor (Photoshop): 'Adobe Photoshop 25.0 (Windows)'",
        "DateTime (last modified) 2024-03-09T10:00:00 differs from DateTimeOriginal 2024-03-08T02:12:44",
        "image is 40x30 pixels but EXIF says 4032x3024 (resized or cropped)",
    ]
    for software in ("GIMP 2.10.34", "Snapseed 2.0", "Adobe Lightroom 9.2 (iOS)"):
        assert edits_flagged(ExifInfo(software=software)), software
    for software in ("17.3.1", "Android 14", "G998BXXU9FXA1", "Pixel Camera"):
        assert edits_flagged(ExifInfo(software=software)) == [], software
    # Rotated by the camera app: the pixel size is the EXIF size turned a quarter.
    assert edits_flagged(ExifInfo(width=30, height=40, exif_width=40, exif_height=30)) == []
