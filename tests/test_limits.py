"""Size caps a user can raise: files read whole, archive members, fields and lines; each over its
cap is refused before it is read (or as soon as it inflates past it), in one line naming the
option, and nothing else is lost."""

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from workbench.cli import app
from workbench.collect.limits import Limits, human, parse_size
from workbench.collect.readers import raw_lines, read_member
from workbench.errors import ImportFormatError, SizeLimitError, WorkbenchError

from .conftest import DATA, post

ARCHIVE = DATA / "twitter" / "archive"


def test_sizes_are_read_and_written_as_people_do():
    assert parse_size("64M") == parse_size("64 MiB") == 64 * 2**20
    assert parse_size("1.5G") == 3 * 2**29 and parse_size(4096) == 4096
    assert human(2**31) == "2 GiB" and human(3 * 2**29) == "1.5 GiB" and human(10) == "10 bytes"
    for bad in ("lots", "-1", "0", "4Q"):
        with pytest.raises(WorkbenchError, match="--max-file-size"):
            parse_size(bad, option="--max-file-size")
    assert Limits.of(file_size="4G", field_size=None) == Limits(file_size=4 * 2**30)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _declare(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s declared (inflated) size changed, in its local header and the
    central directory: a zip bomb's lie."""
    out = bytearray(data)
    name = member.encode()
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = out.find(signature)
        while pos != -1:
            name_at = pos + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at:name_at + len(name)] == name:
                out[pos + at:pos + at + 4] = struct.pack("<I", size)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def test_a_member_over_its_cap_is_refused_before_it_is_inflated():
    data = _zip({"data/tweets.js": b"0" * 2**20})
    limits = Limits(member_size=2**20)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(read_member(archive, "data/tweets.js", name="a.zip", limits=limits)) == 2**20
    bomb = _declare(data, "data/tweets.js", 3 * 2**30)  # says 3 GiB: never inflated at all
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive, pytest.raises(
            SizeLimitError, match=r"a.zip: member 'data/tweets.js' is 3 GiB, over the "
                                  r"--max-member-size cap of 1 MiB"):
        read_member(archive, "data/tweets.js", name="a.zip", limits=limits)
    liar = _declare(data, "data/tweets.js", 1000)  # says less than it holds: read no further
    with zipfile.ZipFile(io.BytesIO(liar)) as archive, pytest.raises(
            ImportFormatError, match="member 'data/tweets.js' cannot be read"):
        read_member(archive, "data/tweets.js", name="a.zip", limits=limits)


def test_overlong_lines_are_cut_at_the_cap_and_skipped():
    stream = io.BytesIO(b"short\n" + b"x" * 5000 + b"\nnext\n" + b"y" * 5000)
    lines = list(raw_lines(stream, max_line=100))
    assert [(n, len(raw), over) for n, raw, over in lines] == [
        (1, 6, False), (2, 100, True), (3, 5, False), (4, 100, True)]


def _tweets_js(padding: int) -> bytes:
    return (ARCHIVE / "data" / "tweets.js").read_bytes().rstrip().removesuffix(b"]") \
        + b" " * padding + b"]\n"


def _archive(tmp_path: Path, name: str, *, tweets_padding: int = 0, photo_padding: int = 0,
             ) -> Path:
    members = {}
    for file in sorted(ARCHIVE.rglob("*")):
        if file.is_file():
            members[file.relative_to(ARCHIVE).as_posix()] = file.read_bytes()
    members["data/tweets.js"] = _tweets_js(tweets_padding)
    for member in members:
        if member.endswith(".jpg"):
            members[member] += b"\0" * photo_padding
    path = tmp_path / name
    path.write_bytes(_zip(members))
    return path


def test_a_zip_bomb_is_one_line_and_the_next_file_still_imports(case, tmp_path, write_jsonl):
    bomb = _archive(tmp_path, "bomb.zip", tweets_padding=8 * 2**20)
    assert bomb.stat().st_size < 100_000
    good = write_jsonl("good.jsonl", [post(1), post(2)])
    done = CliRunner().invoke(app, ["import", str(case.path), str(bomb), str(good),
                                    "--max-member-size", "4M", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "error: bomb.zip: member 'data/tweets.js' is 8 MiB, over the --max-member-size cap " \
           "of 4 MiB" in done.output
    assert "hint: if the file is what you expect, raise the cap: --max-member-size 16MiB" \
        in done.output
    assert "good.jsonl: jsonl, 2 imported" in done.output and "Traceback" not in done.output
    assert case.verify().ok
    again = case.import_file(bomb, max_member_size="16M", progress=False)
    assert again.imported > 5 and again.quarantined == 0


def test_a_media_member_over_the_cap_is_left_out_and_said(case, tmp_path):
    path = _archive(tmp_path, "media.zip", photo_padding=64 * 2**10)
    result = case.import_file(path, max_member_size="32K", progress=False)
    assert result.imported > 5 and result.media_files == 0
    assert result.notes["media files over the --max-member-size cap, not stored"] == 1


def test_a_document_over_the_file_cap_is_refused_decompressed_or_not(case, tmp_path):
    document = json.dumps([post(1), post(2)]).encode()[:-1] + b" " * 2 * 2**20 + b"]"
    plain = tmp_path / "big.json"
    plain.write_bytes(document)
    with pytest.raises(SizeLimitError, match=r"big.json is 2 MiB, over the --max-file-size cap "
                                             r"of 1 MiB"):
        case.import_file(plain, max_file_size="1M", progress=False)
    packed = tmp_path / "bomb.json.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(document))
    assert packed.stat().st_size < 1000
    with pytest.raises(SizeLimitError, match=r"bomb.json.zst inflates past the --max-file-size "
                                             r"cap of 1 MiB"):
        case.import_file(packed, max_file_size="1M", progress=False)
    assert case.import_file(packed, progress=False).imported == 2


def test_a_field_or_line_over_the_cap_is_that_record_s_problem(case, tmp_path, write_jsonl):
    table = tmp_path / "long.csv"
    paragraph = "smoke " * 70_000  # 420,000 characters: each line is under the cap
    table.write_text("id,created_at,text\n1,2024-03-01T10:00:00Z," + "fire " * 300_000 + "\n"
                     f'2,2024-03-01T10:01:00Z,"{paragraph}\n{paragraph}\n{paragraph}"\n'
                     "3,2024-03-01T10:02:00Z,short\n", encoding="utf-8")
    result = case.import_file(table, max_field_size="1M", progress=False)
    assert (result.imported, result.quarantined) == (1, 2)
    reasons = case.quarantine().set_index("locator").reason
    assert reasons["line 2"] == "unreadable CSV: a line longer than the --max-field-size cap " \
                                "of 1 MiB"
    assert reasons["lines 3-5"] == "unreadable CSV: a field longer than the --max-field-size " \
                                   "cap of 1 MiB"
    assert case.import_file(table, progress=False).imported == 2
    lines = write_jsonl("long.jsonl", [post(1, text="fire " * 300_000), post(2)])
    result = case.import_file(lines, max_field_size="1M", progress=False)
    assert (result.imported, result.quarantined) == (1, 1)
    assert case.import_file(lines, progress=False).imported == 1
