"""Re-fetch the JavaScript, CSS and outline data that offline maps inline, from the npm registry.

Writes the files under ``workbench/geo/assets/<package>/`` and records each one's package, version,
licence and sha256 in ``workbench/geo/assets/MANIFEST.json``. Our own files there
(``workbench/workbench-map.js`` and ``.css``) are left alone.

    python scripts/vendor_map_assets.py [--check]

``--check`` fetches everything into a temporary folder and only reports whether the committed files
match what the registry serves today (exit status 1 when they do not).

Needs ``npm`` and ``node`` (the world outline is converted from TopoJSON with topojson-client's
``topo2geo``, fetched into a temporary folder and not shipped).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "workbench" / "geo" / "assets"
OWN_FOLDER = "workbench"  # our own files; never written by this script
TOPOJSON_CLIENT = "topojson-client@3.1.0"
OUTLINE_DECIMALS = 3  # ~100 m, far finer than the 1:110m source


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    license: str
    files: dict[str, str]  # path inside the npm tarball -> path under assets/<name>/
    notes: dict[str, str] = field(default_factory=dict)


PACKAGES = [
    Package("leaflet", "1.9.4", "BSD-2-Clause", {
        "package/dist/leaflet.js": "leaflet.js",
        "package/dist/leaflet.css": "leaflet.css",
        "package/dist/images/layers.png": "images/layers.png",
        "package/dist/images/layers-2x.png": "images/layers-2x.png",
        "package/dist/images/marker-icon.png": "images/marker-icon.png",
        "package/LICENSE": "LICENSE",
    }),
    Package("leaflet.markercluster", "1.5.3", "MIT", {
        "package/dist/leaflet.markercluster.js": "leaflet.markercluster.js",
        "package/dist/MarkerCluster.css": "MarkerCluster.css",
        "package/MIT-LICENCE.txt": "MIT-LICENCE.txt",
    }),
    Package("leaflet.heat", "0.2.0", "BSD-2-Clause", {
        "package/dist/leaflet-heat.js": "leaflet-heat.js",
        "package/LICENSE": "LICENSE",
    }),
    Package("iso8601-js-period", "0.2.1", "Apache-2.0", {
        "package/iso8601.js": "iso8601.js",
    }, notes={"iso8601.js": "the package ships no licence file; its header states Apache-2.0"}),
    Package("leaflet-timedimension", "1.1.1", "MIT", {
        "package/dist/leaflet.timedimension.min.js": "leaflet.timedimension.min.js",
        "package/dist/leaflet.timedimension.control.min.css": "leaflet.timedimension.control.min.css",
        "package/LICENSE": "LICENSE",
    }),
    Package("world-atlas", "2.0.2", "ISC (data: Natural Earth, public domain)", {
        "package/countries-110m.json": "countries-110m.geojson",
        "package/LICENSE": "LICENSE",
    }, notes={"countries-110m.geojson": (
        f"converted from countries-110m.json (TopoJSON) with {TOPOJSON_CLIENT} topo2geo; "
        f"coordinates rounded to {OUTLINE_DECIMALS} decimals; properties kept: name")}),
]


def npm_pack(spec: str, into: Path) -> Path:
    """Download one package tarball from the registry with ``npm pack`` and return its path."""
    out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(into)],
                         check=True, capture_output=True, text=True).stdout
    return into / json.loads(out)[0]["filename"]


def extract(tarball: Path, member: str) -> bytes:
    """One member of an npm tarball, read without extracting anything else to disk."""
    with tarfile.open(tarball, "r:gz") as tar:
        handle = tar.extractfile(member)
        if handle is None:
            raise SystemExit(f"{tarball.name}: {member} is not a regular file")
        return handle.read()


def _round(coords, decimals: int):
    if isinstance(coords[0], (int, float)):
        return [round(c, decimals) for c in coords]
    return [_round(c, decimals) for c in coords]


def unwrap(coordinates: list, kind: str) -> list:
    """Rings that cross the antimeridian made continuous (their longitudes may pass 180), so a
    flat map draws Russia and Fiji whole, not as bands across the world. Antarctica's ring, which
    runs along the edge of the world at -90, is left as it is."""
    polygons = [coordinates] if kind == "Polygon" else coordinates
    fixed = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            if any(lat <= -89.9 for _, lat in ring):
                rings.append(ring)
                continue
            offset, previous, out = 0.0, ring[0][0], []
            for lon, lat in ring:
                if lon - previous > 180:
                    offset -= 360
                elif lon - previous < -180:
                    offset += 360
                previous = lon
                out.append([round(lon + offset, OUTLINE_DECIMALS), lat])
            rings.append(out)
        fixed.append(rings)
    return fixed[0] if kind == "Polygon" else fixed


def topo_to_geojson(topojson: bytes, work: Path) -> bytes:
    """Convert world-atlas' TopoJSON countries to a compact GeoJSON FeatureCollection."""
    subprocess.run(["npm", "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--prefix", str(work), TOPOJSON_CLIENT], check=True, capture_output=True)
    src = work / "countries-110m.json"
    src.write_bytes(topojson)
    out = subprocess.run([str(work / "node_modules" / ".bin" / "topo2geo"), "-i", str(src), "countries=-"],
                         check=True, capture_output=True).stdout
    collection = json.loads(out)
    features = []
    for f in collection["features"]:
        geometry = f["geometry"]
        if not geometry:
            continue
        features.append({"type": "Feature", "properties": {"name": f["properties"].get("name")},
                         "geometry": {"type": geometry["type"], "coordinates": unwrap(
                             _round(geometry["coordinates"], OUTLINE_DECIMALS), geometry["type"])}})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fetch_all(work: Path) -> dict[str, tuple[Package, bytes]]:
    """Every vendored file's bytes, keyed by its path under assets/."""
    files: dict[str, tuple[Package, bytes]] = {}
    for package in PACKAGES:
        tarball = npm_pack(f"{package.name}@{package.version}", work)
        for member, dest in package.files.items():
            data = extract(tarball, member)
            if dest.endswith(".geojson"):
                data = topo_to_geojson(data, work / "topojson")
            files[f"{package.name}/{dest}"] = (package, data)
    return files


def manifest(files: dict[str, tuple[Package, bytes]]) -> dict:
    entries = []
    for path, (package, data) in sorted(files.items()):
        name = path.split("/", 1)[1]
        entry = {"path": path, "package": package.name, "version": package.version,
                 "license": package.license, "sha256": hashlib.sha256(data).hexdigest(),
                 "bytes": len(data)}
        if name in package.notes:
            entry["note"] = package.notes[name]
        entries.append(entry)
    return {"generated_by": "scripts/vendor_map_assets.py", "registry": "npm", "files": entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files only")
    args = parser.parse_args(argv)
    if not shutil.which("npm"):
        raise SystemExit("npm is needed to fetch the map assets")
    with tempfile.TemporaryDirectory() as tmp:
        files = fetch_all(Path(tmp))
    wanted = manifest(files)
    if args.check:
        current = json.loads((ASSETS / "MANIFEST.json").read_text("utf-8"))
        same = current["files"] == wanted["files"] and all(
            (ASSETS / p).read_bytes() == data for p, (_, data) in files.items())
        print("map assets match the registry" if same else "map assets differ from the registry")
        return 0 if same else 1
    for package in PACKAGES:
        shutil.rmtree(ASSETS / package.name, ignore_errors=True)
    for path, (_, data) in files.items():
        target = ASSETS / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (ASSETS / "MANIFEST.json").write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
    total = sum(len(d) for _, d in files.values())
    print(f"wrote {len(files)} files ({total / 1e6:.2f} MB) under {ASSETS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
