"""Perceptual hashes: the same picture found again after re-encoding and resizing, first seen
where and by whom; EXIF per image."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from workbench.analyze.images import _groups, exif_summary, image_hashes, image_reuse


def picture(seed: int, size=(320, 240)) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 90)),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def test_a_reencoded_resized_copy_is_found_with_its_first_use(case, write_jsonl):
    original = picture(1)
    files = {
        "1": jpeg(original),                                   # first, by alice on day 1
        "2": jpeg(original.resize((160, 120)), quality=60),    # a smaller, lossier copy
        "3": jpeg(picture(2)),                                 # another picture
        "4": jpeg(original, quality=40),                       # the first again, recompressed
    }
    rows = [{"id": i, "created_at": f"2024-03-0{i}T10:00:00Z", "author": a, "text": "look"}
            for i, a in (("1", "alice"), ("2", "bob"), ("3", "carol"), ("4", "dave"))]
    case.import_file(write_jsonl("posts.jsonl", rows), progress=False)
    for ident, data in files.items():
        sha, _ = case.media_store.put_bytes(data)
        case.db["media"].insert({"uid": f"generic:{ident}#p", "item_uid": f"generic:{ident}",
                                 "key": "p", "kind": "photo", "sha256": sha})
    broken, _ = case.media_store.put_bytes(b"not an image at all")
    case.db["media"].insert({"uid": "generic:3#q", "item_uid": "generic:3", "key": "q",
                             "kind": "photo", "sha256": broken})
    hashes = image_hashes(case)
    assert len(hashes) == 5 and hashes.error.notna().sum() == 1
    pictures, uses = image_reuse(hashes, case.items())
    assert len(pictures) == 1
    first = pictures.iloc[0]
    assert (first.uses, first.accounts, first.variants) == (3, 3, 3)
    assert first.first_by == "alice" and first.first_item == "generic:1"
    assert first.spread_hours == 72
    assert list(uses.item_uid) == ["generic:1", "generic:2", "generic:4"]
    assert uses.distance.iloc[0] == 0 and uses.distance.max() <= 6
    summary = exif_summary(case)
    assert len(summary) == 5 and summary.error.notna().sum() == 1


def test_banding_finds_every_pair_within_the_distance_and_no_other():
    rng = random.Random(5)
    base = [rng.getrandbits(64) for _ in range(200)]
    near = [b ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)) for b in base]  # <= 2 bits
    hashes = [f"{v:016x}" for v in base + near]
    groups = _groups(hashes, 6)
    for b, n in zip(base, near, strict=True):
        assert groups[f"{b:016x}"] == groups[f"{n:016x}"]
    # Random 64-bit hashes are ~32 bits apart: no two originals are joined.
    assert len({groups[f"{b:016x}"] for b in base}) == 200


def test_the_demo_cases_reused_photo_is_found(demo_case):
    pictures, uses = image_reuse(image_hashes(demo_case), demo_case.items())
    assert len(pictures) >= 1
    top = pictures.iloc[0]
    assert top.uses >= 2 and len(top.platforms) >= 1
    assert uses[uses.picture == top.picture].created_at.is_monotonic_increasing
