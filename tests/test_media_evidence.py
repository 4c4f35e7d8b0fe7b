"""Media files an export carries: stored once, audited, linked to rows known from elsewhere."""

from pathlib import Path

from workbench.evidence import sha256_file

ARCHIVE = Path(__file__).parent / "data" / "mastodon" / "archive"
TIMELINE = Path(__file__).parent / "data" / "mastodon" / "timeline_home.json"
POST = "mastodon:mastodon.social/111340727531569153"  # a photo post


def _media(case):
    return case.db["media"].get(f"{POST}#3f9c2b7a1d5e8c40.jpg")


def test_archive_after_the_api_links_its_file_to_the_known_row(case):
    case.import_file(TIMELINE, progress=False)
    assert _media(case)["sha256"] is None  # the API gives a URL, not the file
    result = case.import_file(ARCHIVE / "outbox.json", progress=False)
    assert result.media_files == 1
    photo = next((ARCHIVE / "media_attachments").rglob("*.jpg"))
    assert _media(case)["sha256"] == sha256_file(photo)
    report = case.verify()
    assert report.ok and report.warnings == [], report.warnings


def test_purged_media_come_back_on_reimport(case):
    case.import_file(ARCHIVE / "outbox.json", progress=False)
    sha = _media(case)["sha256"]
    result = case.purge(all=True)
    assert result.media_destroyed == [sha] and not case.media_store.exists(sha)
    case.import_file(ARCHIVE / "outbox.json", progress=False)
    assert case.media_store.exists(sha)
    report = case.verify()
    assert report.ok and report.warnings == [], report.warnings
