"""The same picture reused across accounts, platforms and time: perceptual hashes of every image.

Every image file the case holds is hashed with imagehash's perceptual hash (pHash, 64 bits): two
copies of one picture, re-encoded, resized or lightly edited, land a few bits apart, where their
SHA-256 differ completely. :func:`image_hashes` hashes the files; :func:`image_reuse` groups the
uses of pictures within ``max_distance`` bits of each other and says where each was first seen
and by whom, and how it spread; :func:`exif_summary` lists each image's camera, time, software and
GPS, with signs of editing flagged.

Near-duplicates are found without comparing every pair: a 64-bit hash is cut into 8 bands of 8
bits, and two hashes within 7 bits of each other share at least one band exactly (pigeonhole),
so only images sharing a band are compared.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from workbench.case import Case

#: Bits two hashes may differ by and still be one picture (of 64). Above 7 the banding is not exact.
MAX_DISTANCE = 6
_BANDS = 8


def image_hashes(case: Case) -> pd.DataFrame:
    """One row per image use (media row with a stored file): media_uid, item_uid, sha256, phash
    (16 hex digits), width, height and error (why a file could not be hashed)."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    rows = case.db.execute(
        "SELECT uid, item_uid, sha256 FROM media WHERE sha256 IS NOT NULL ORDER BY uid").fetchall()
    by_file: dict[str, tuple] = {}
    out = []
    for media_uid, item_uid, sha in rows:
        if sha not in by_file:
            try:
                with Image.open(case.media_store.path(sha)) as image:
                    by_file[sha] = (str(imagehash.phash(image)), image.width, image.height, None)
            except (OSError, UnidentifiedImageError, ValueError) as exc:
                by_file[sha] = (None, None, None, f"{type(exc).__name__}: {exc}")
        out.append((media_uid, item_uid, sha, *by_file[sha]))
    return pd.DataFrame(out, columns=["media_uid", "item_uid", "sha256", "phash", "width", "height",
                                      "error"])


def image_reuse(hashes: pd.DataFrame, items: pd.DataFrame, *,
                max_distance: int = MAX_DISTANCE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pictures used more than once, and every use of them.

    Returns ``(pictures, uses)``. ``pictures``: picture (a number), uses, accounts, platforms,
    first_seen_at, first_by, first_platform, first_item, last_seen_at, spread_hours, variants
    (distinct files). ``uses``: picture, media_uid, item_uid, sha256, phash, distance (bits from
    the first use's hash), created_at, author_handle, platform, url; in time order.
    """
    if not 0 <= max_distance <= 7:
        raise ValueError("max_distance must be between 0 and 7 bits")
    usable = hashes[hashes.phash.notna()].merge(
        items[["uid", "created_at", "author_handle", "platform", "url"]],
        left_on="item_uid", right_on="uid", how="inner").drop(columns=["uid"])
    groups = _groups(sorted(set(usable.phash)), max_distance)
    usable["group"] = usable.phash.map(groups)
    usable = usable.sort_values(["created_at", "media_uid"])
    pictures, uses = [], []
    for number, (_, group) in enumerate(usable.groupby("group", sort=False)):
        if len(group) < 2:
            continue
        first = group.iloc[0]
        origin = int(first.phash, 16)
        pictures.append({
            "picture": number, "uses": len(group), "accounts": group.author_handle.nunique(),
            "platforms": sorted(group.platform.unique()), "first_seen_at": first.created_at,
            "first_by": first.author_handle, "first_platform": first.platform,
            "first_item": first.item_uid, "last_seen_at": group.created_at.iloc[-1],
            "spread_hours": (group.created_at.iloc[-1] - first.created_at).total_seconds() / 3600,
            "variants": group.sha256.nunique(),
        })
        for row in group.itertuples():
            uses.append({"picture": number, "media_uid": row.media_uid, "item_uid": row.item_uid,
                         "sha256": row.sha256, "phash": row.phash,
                         "distance": (int(row.phash, 16) ^ origin).bit_count(),
                         "created_at": row.created_at, "author_handle": row.author_handle,
                         "platform": row.platform, "url": row.url})
    pictures_frame = pd.DataFrame(pictures, columns=[
        "picture", "uses", "accounts", "platforms", "first_seen_at", "first_by", "first_platform",
        "first_item", "last_seen_at", "spread_hours", "variants"])
    if not pictures_frame.empty:
        pictures_frame = pictures_frame.sort_values(["uses", "first_seen_at"],
                                                    ascending=[False, True]).reset_index(drop=True)
    return pictures_frame, pd.DataFrame(uses, columns=[
        "picture", "media_uid", "item_uid", "sha256", "phash", "distance", "created_at",
        "author_handle", "platform", "url"])


def _groups(hashes: list[str], max_distance: int) -> dict[str, int]:
    """Each hash's group: hashes within ``max_distance`` bits are joined (transitively)."""
    values = [int(h, 16) for h in hashes]
    parent = list(range(len(values)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bands: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, value in enumerate(values):
        for band in range(_BANDS):
            bands[(band, (value >> (8 * band)) & 0xFF)].append(index)
    for members in bands.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1:]:
                if (values[a] ^ values[b]).bit_count() <= max_distance:
                    parent[root(a)] = root(b)
    return {h: root(i) for i, h in enumerate(hashes)}


def exif_summary(case: Case) -> pd.DataFrame:
    """Each stored image's EXIF: camera, time taken (local, with its offset when given), software,
    GPS, and the signs of editing flagged (see :func:`workbench.geo.exif.edits_flagged`)."""
    from workbench.errors import WorkbenchError
    from workbench.geo.exif import edits_flagged, read_exif

    rows = []
    for (sha,) in case.db.execute("SELECT DISTINCT sha256 FROM media WHERE sha256 IS NOT NULL "
                                  "ORDER BY sha256"):
        try:
            info = read_exif(case.media_store.path(sha).read_bytes())
        except (OSError, WorkbenchError) as exc:
            rows.append({"sha256": sha, "error": str(exc)})
            continue
        rows.append({
            "sha256": sha, "format": info.format, "camera": " ".join(
                p for p in (info.make, info.model) if p) or None,
            "taken_at": info.taken_at, "taken_offset": info.taken_offset,
            "software": info.software, "lat": info.lat, "lon": info.lon,
            "altitude": info.altitude, "gps_time": info.gps_time,
            "edits": edits_flagged(info), "problems": list(info.problems), "error": None,
        })
    return pd.DataFrame(rows, columns=["sha256", "format", "camera", "taken_at", "taken_offset",
                                       "software", "lat", "lon", "altitude", "gps_time", "edits",
                                       "problems", "error"])
