"""Media download: the files collected items link to, fetched with requests from a server on
127.0.0.1, stored byte for byte (EXIF kept), hashed and audited; failures recorded, not fatal."""

import json

import pytest
import requests

from tests.local_server import HOST, QuietHandler, serve
from tests.mastodon_server import BASE_ID, status
from tests.test_geo_exif import dms, photo
from workbench.collect.live.media import USER_AGENT, fetch_media
from workbench.evidence import sha256_bytes

JPEG = photo({1: "N", 2: dms(52, 22, 312), 3: "E", 4: dms(4, 54, 1476)}, size=(64, 48))


class Files:
    """A web server holding media files: path -> (status, headers, body)."""

    def __init__(self):
        self.files: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, user agent)
        files = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.0"  # a body without Content-Length ends with the connection

            def do_GET(self):
                files.requests.append((self.path, self.headers.get("User-Agent", "")))
                code, headers, body = files.files.get(self.path, (404, {}, b"Not Found"))
                self.send_response(code)
                headers = {"Content-Type": "text/plain", "Content-Length": str(len(body)),
                           **headers}
                for name, value in headers.items():
                    if value is not None:
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server, self.url = serve(Handler)


@pytest.fixture
def files():
    server = Files()
    yield server
    server.server.shutdown()
    server.server.server_close()


def attachment(n: int, url: str, kind: str = "image") -> dict:
    """A media attachment as Mastodon's API serves it."""
    return {"id": str(900 + n), "type": kind, "url": url, "preview_url": url, "remote_url": None,
            "meta": {"original": {"width": 64, "height": 48}}, "description": f"picture {n}",
            "blurhash": None}


def collected(case, tmp_path, attachments: dict[int, list[dict]]):
    """Items with media rows that have a URL and no file, as a live collection leaves them."""
    statuses = [status(n) for n in range(8, 0, -1)]
    for s in statuses:
        n = (int(s["id"]) - BASE_ID) // 1000
        s["media_attachments"] = attachments.get(n, [])
    path = tmp_path / "page.json"
    path.write_text(json.dumps(statuses))
    case.import_file(path, format="mastodon", progress=False)
    return {(int(s["id"]) - BASE_ID) // 1000: f"mastodon:social.test/{s['id']}" for s in statuses}


def media(case) -> dict[str, tuple]:
    return {uid: (url, sha, mime) for uid, url, sha, mime in
            case.db.execute("SELECT uid, url, sha256, mime FROM media")}


def test_a_photo_is_stored_byte_for_byte_and_located_by_its_exif(case, tmp_path, files):
    files.files["/media/photo.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG)
    uids = collected(case, tmp_path, {3: [attachment(1, f"{files.url}/media/photo.jpg")]})
    assert case.locate(progress=False).items == 8
    assert case.places(method="exif").empty  # no file yet: nothing to read

    result = fetch_media(case, progress=False)
    assert (result.stored, result.linked, result.bytes, result.failed) == (1, 1, len(JPEG), [])
    sha = sha256_bytes(JPEG)
    assert case.media_store.path(sha).read_bytes() == JPEG  # EXIF and all
    ((url, stored_sha, mime),) = media(case).values()
    assert (stored_sha, mime) == (sha, "image/jpeg")
    assert files.requests == [("/media/photo.jpg", USER_AGENT)]
    assert "socmint-workbench" in USER_AGENT

    case.locate(progress=False)
    places = case.places(method="exif")
    assert places.uid.tolist() == [uids[3]]
    assert places.lat.iloc[0] == pytest.approx(52 + 22 / 60 + 3.12 / 3600)
    assert places.lon.iloc[0] == pytest.approx(4 + 54 / 60 + 14.76 / 3600)
    report = case.verify()
    assert report.ok and report.checked["media files"] == 1 and not report.warnings
    actions = [a for (a,) in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert "media.stored" in actions
    run = case.db.execute("SELECT kind, status, imported, quarantined FROM runs WHERE id = ?",
                          [result.run_id]).fetchone()
    assert run == ("media", "done", 1, 0)

    # resumable: a row with its file is not fetched again
    again = fetch_media(case, progress=False)
    assert (again.linked, again.failed) == (0, []) and len(files.requests) == 1


def test_failures_are_recorded_with_reasons_and_the_rest_goes_on(case, tmp_path, files):
    big = b"\xff\xd8" + b"\0" * 5000
    files.files.update({
        "/gone.jpg": (404, {}, b"Not Found"),
        "/big.jpg": (200, {"Content-Type": "image/jpeg"}, big),
        # no Content-Length: the cap is enforced while streaming
        "/big-unsized.jpg": (200, {"Content-Type": "image/jpeg", "Content-Length": None}, big),
        "/login.jpg": (200, {"Content-Type": "text/html"}, b"<html>log in</html>"),
        "/sneaky.jpg": (200, {"Content-Type": "application/octet-stream"},
                        b"<!DOCTYPE html><html>log in</html>"),
        "/to-file.jpg": (302, {"Location": "file:///etc/passwd"}, b""),
        "/moved.jpg": (301, {"Location": "/media/photo.jpg"}, b""),
        "/media/photo.jpg": (200, {"Content-Type": "image/jpeg"}, JPEG),
    })
    names = ["gone", "big", "big-unsized", "login", "sneaky", "to-file", "moved"]
    attached = {n + 1: [attachment(n, f"{files.url}/{name}.jpg")] for n, name in enumerate(names)}
    attached[8] = [attachment(8, "file:///etc/passwd")]
    collected(case, tmp_path, attached)
    result = fetch_media(case, max_bytes=4000, progress=False)

    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in result.failed}
    assert reasons == {
        "gone.jpg": "HTTP 404 Not Found",
        "big.jpg": "too large: 5002 bytes, more than the maximum of 4000",
        "big-unsized.jpg": "too large: more than the maximum of 4000 bytes",
        "login.jpg": "wrong content: the server sent text/html, not a media file",
        "passwd": "refused: not an http(s) URL (file scheme)",
        "sneaky.jpg": "wrong content: the server sent a web page, not a media file",
        "to-file.jpg": "refused: not an http(s) URL (file scheme)",
    }
    assert (result.stored, result.linked) == (1, 1)  # the redirect to the photo was followed
    assert ("/media/photo.jpg", USER_AGENT) in files.requests
    assert list(case.media_store.names()) == [sha256_bytes(JPEG)]  # nothing partial left
    assert case.verify().ok and not case.verify().warnings
    finished = json.loads(case.db.execute(
        "SELECT detail FROM audit WHERE action = 'media.finished'").fetchone()[0])
    assert finished["failed"] == 7 and len(finished["failures"]) == 7
    detail = json.loads(case.db.execute("SELECT detail FROM runs WHERE id = ?",
                                        [result.run_id]).fetchone()[0])
    assert (detail["failed"], detail["stored"], detail["max_bytes"]) == (7, 1, 4000)

    # the failures are tried again next time; one that came back is fetched
    files.files["/gone.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG + b"\0")
    again = fetch_media(case, max_bytes=4000, progress=False)
    assert (again.stored, again.linked, len(again.failed)) == (1, 1, 6)
    assert case.verify().ok


def test_a_wrong_content_type_is_refused(case, tmp_path, files):
    files.files["/a.jpg"] = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>hi</p>")
    collected(case, tmp_path, {1: [attachment(1, f"{files.url}/a.jpg")]})
    result = fetch_media(case, progress=False)
    assert result.failed[0]["reason"] == "wrong content: the server sent text/html, not a media file"


def test_one_file_shared_by_two_rows_is_stored_once_and_filters_apply(case, tmp_path, files):
    files.files["/p.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG)
    files.files["/v.mp4"] = (200, {"Content-Type": "video/mp4"}, b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    uids = collected(case, tmp_path, {
        1: [attachment(1, f"{files.url}/p.jpg")], 2: [attachment(2, f"{files.url}/p.jpg?size=2")],
        3: [attachment(3, f"{files.url}/v.mp4", kind="video")]})
    files.files["/p.jpg?size=2"] = files.files["/p.jpg"]
    only = fetch_media(case, uids=[uids[1]], progress=False)
    assert (only.linked, only.stored) == (1, 1)
    photos = fetch_media(case, kinds=("image",), progress=False)
    assert (photos.linked, photos.stored) == (1, 0)  # the same bytes: one file, two rows
    rest = fetch_media(case, progress=False)
    assert (rest.linked, rest.stored) == (1, 1)
    assert sorted(m for _, _, m in media(case).values()) == ["image/jpeg", "image/jpeg", "video/mp4"]
    assert case.verify().ok


class Interrupting(requests.Session):
    """Ctrl-C arrives during the second download."""

    def get(self, url, **kwargs):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return super().get(url, **kwargs)


def test_an_interrupted_run_keeps_what_it_fetched_and_resumes(case, tmp_path, files):
    for n in (1, 2, 3):
        files.files[f"/{n}.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG + bytes([n]))
    files.files["/clip.m3u8"] = (200, {"Content-Type": "application/vnd.apple.mpegurl"},
                                 b"#EXTM3U\n")
    collected(case, tmp_path, {n: [attachment(n, f"{files.url}/{n}.jpg")] for n in (1, 2, 3)}
              | {4: [attachment(4, f"{files.url}/clip.m3u8", kind="video")]})
    with pytest.raises(KeyboardInterrupt):
        fetch_media(case, progress=False, session=Interrupting())
    assert case.db.execute("SELECT status FROM runs WHERE kind = 'media'").fetchone() == (
        "interrupted",)
    assert len(list(case.media_store.names())) == 1 and case.verify().ok
    result = fetch_media(case, progress=False)
    assert (result.stored, result.linked) == (2, 2)
    assert result.failed[0]["reason"] == ("not downloaded: a streaming playlist "
                                          "(application/vnd.apple.mpegurl), not a file")
    assert case.verify().ok


def test_the_media_of_one_live_collection_run(case, instance, files):
    from workbench.collect.live import collect
    from workbench.collect.live.mastodon import MastodonCollector

    files.files["/m/a.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG)
    instance.statuses[0]["media_attachments"] = [attachment(1, f"{files.url}/m/a.jpg")]
    run = collect(case, MastodonCollector(instance.url, hashtag="flood", token=""), progress=False)
    assert fetch_media(case, run_id=run.run_id + 1, progress=False).linked == 0  # another run's
    result = fetch_media(case, run_id=run.run_id, progress=False)
    assert (result.linked, result.failed) == (1, []) and "1 downloaded" in result.summary()
    assert case.verify().ok


def test_network_loss_is_recorded_per_file(case, tmp_path):
    collected(case, tmp_path, {1: [attachment(1, f"http://{HOST}:9/a.jpg")]})
    result = fetch_media(case, progress=False)
    assert result.failed[0]["reason"].startswith("cannot be fetched: ConnectionError")
    assert result.status == "done" and case.verify().ok


def test_refuses_a_case_past_its_retention(case, tmp_path, files):
    collected(case, tmp_path, {1: [attachment(1, f"{files.url}/a.jpg")]})
    case.update_plan(retention_until="2000-01-01")
    with pytest.raises(Exception, match="retention date"):
        fetch_media(case, progress=False)
    assert files.requests == []


def test_the_cli_collects_with_media_and_the_media_verb_lists_failures(case, instance, files):
    from typer.testing import CliRunner

    from workbench.cli import app

    files.files["/m/a.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG)
    instance.statuses[0]["media_attachments"] = [attachment(1, f"{files.url}/m/a.jpg")]
    instance.statuses[1]["media_attachments"] = [attachment(2, f"{files.url}/m/gone.jpg")]
    runner = CliRunner()
    done = runner.invoke(app, ["collect", str(case.path), "mastodon", "--instance", instance.url,
                               "--hashtag", "flood", "--media", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "12 imported" in done.output and "1 downloaded" in done.output
    assert "not stored" in done.output and "gone.jpg" in done.output and "404" in done.output
    files.files["/m/gone.jpg"] = (200, {"Content-Type": "image/jpeg"}, JPEG[:-1] + b"\xd9")
    again = runner.invoke(app, ["media", str(case.path), "--no-progress"])
    assert again.exit_code == 0 and "1 downloaded" in again.output and "not stored" not in again.output
    assert case.db.execute("SELECT count(*) FROM media WHERE sha256 IS NULL").fetchone()[0] == 0
    assert case.verify().ok
