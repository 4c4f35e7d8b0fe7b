"""Capturing 50 pages that posts link to: time and peak memory of ``workbench capture``.

A server on 127.0.0.1 (in this process) serves 50 distinct pages, each with a stylesheet, two
images, about 20 KB of text and a script that fetches JSON after the page loads. A case holds 50
posts, each citing one page. Measured, each in a process of its own, polled every 0.1 s with
psutil for the resident memory of its whole process tree (the browsers are children; shared
pages count once per process, so this errs high):

- ``workbench capture CASE --from-items --allow-private 127.0.0.1``: per page a fresh Chromium
  with an empty profile, every request made by the workbench and kept in a WACZ, a full-page
  screenshot, the HTML and text, four files hashed and stored, each page audited;
- the baseline, in the same run: ``chromium --headless --screenshot`` of the same 50 pages, one
  after another, each with a fresh empty profile: a viewport PNG only, no archive, HTML or text,
  no address checks, no record.

    python benchmarks/capture.py [--pages 50] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

from workbench.capture.browser import ARGS, CHROMIUM
from workbench.case import Case

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctree import measure  # noqa: E402  (benchmarks/ is not a package: its sibling by path)

WORKBENCH = Path(sys.executable).with_name("workbench")
WORDS = ["fire", "smoke", "plant", "river", "residents", "evacuated", "statement", "company",
         "police", "road", "closed", "air", "quality", "alert", "crews", "investigation"]


def image(seed: int) -> bytes:
    rng = random.Random(seed)
    img = Image.new("RGB", (320, 200))
    img.putdata([(rng.randrange(256), rng.randrange(256), 90) for _ in range(320 * 200)])
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def page(n: int) -> bytes:
    rng = random.Random(n)
    paragraphs = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(120))}</p>" for _ in range(25))
    return (f"<!doctype html><html><head><title>Page {n}: the plant fire</title>"
            f"<link rel=stylesheet href='/p/{n}/style.css'></head><body><h1>Report {n}</h1>"
            f"<img src='/p/{n}/a.png'><img src='/p/{n}/b.png'>{paragraphs}"
            f"<script>fetch('/p/{n}/data.json').then(r => r.json()).then(d => "
            f"document.body.insertAdjacentHTML('beforeend', '<p>' + d.note + '</p>'))</script>"
            f"</body></html>").encode()


def serve(pages: int) -> tuple[ThreadingHTTPServer, str]:
    images = [image(i) for i in range(4)]

    class Site(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= pages:
                self.send_error(404)
                return
            n, name = int(parts[1]), (parts[2] if len(parts) > 2 else "")
            body, kind = {
                "": (page(n), "text/html; charset=utf-8"),
                "style.css": (b"body{font:16px/1.5 serif;max-width:60em;margin:auto}h1{color:#833}",
                              "text/css"),
                "a.png": (images[n % 4], "image/png"), "b.png": (images[(n + 1) % 4], "image/png"),
                "data.json": (json.dumps({"note": f"added by a script on page {n}"}).encode(),
                              "application/json"),
            }.get(name, (b"", ""))
            if not kind:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Keep the case and screenshots here.")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-capture-")) if opts.keep is None else opts.keep
    work.mkdir(parents=True, exist_ok=True)
    server, base = serve(opts.pages)
    urls = [f"{base}/p/{n}" for n in range(opts.pages)]
    source = work / "posts.jsonl"
    source.write_text("".join(json.dumps({"id": str(n), "text": f"read this: {u}", "author": f"a{n % 7}",
                                          "created_at": "2024-03-07T10:00:00Z"}) + "\n"
                              for n, u in enumerate(urls)))
    case_dir = work / "case"
    shutil.rmtree(case_dir, ignore_errors=True)
    case = Case.create(case_dir, title="capture benchmark", legal_basis="benchmark",
                       retention_until="2099-01-01")
    case.import_file(source, progress=False)
    case.close()

    code, seconds, peak, _ = measure([str(WORKBENCH), "capture", str(case_dir), "--from-items",
                                   "--allow-private", "127.0.0.1", "--no-progress"],
                                  work / "workbench.log")
    with Case.open(case_dir) as case:
        rows = case.captures()
        captured = int((rows["status"] == "captured").sum())
        stored = sum(p.stat().st_size for p in case.capture_store.root.rglob("*") if p.is_file())
        verified = case.verify().ok

    shots = work / "baseline"
    shots.mkdir(exist_ok=True)
    script = work / "baseline.sh"
    flags = " ".join(a for a in ARGS if not a.startswith(("--proxy", "--force-webrtc")))
    script.write_text("set -e\n" + "".join(
        f"d=$(mktemp -d); {CHROMIUM} {flags} --user-data-dir=$d --window-size=1280,900 "
        f"--screenshot={shots}/{n}.png {u} >/dev/null 2>&1; rm -rf $d\n" for n, u in enumerate(urls)))
    b_code, b_seconds, b_peak, _ = measure(["bash", str(script)], work / "baseline.log")
    b_done = sum(1 for n in range(opts.pages) if (shots / f"{n}.png").is_file())
    server.shutdown()

    mb = 1 / 1e6
    print(f"{opts.pages} local pages (cores: {os.cpu_count()}, load now: "
          f"{os.getloadavg()[0]:.1f})")
    print(f"{'':32}{'seconds':>9}{'s/page':>8}{'peak RSS MB':>13}{'pages':>7}")
    print(f"{'workbench capture':32}{seconds:9.1f}{seconds / opts.pages:8.2f}{peak * mb:13.0f}"
          f"{captured:7d}   exit {code}, {stored * mb:.1f} MB stored, verify "
          f"{'OK' if verified else 'FAILED'}")
    print(f"{'chromium --headless --screenshot':32}{b_seconds:9.1f}{b_seconds / opts.pages:8.2f}"
          f"{b_peak * mb:13.0f}{b_done:7d}   exit {b_code}")
    print(f"work folder: {work}" if opts.keep else "")
    if opts.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
