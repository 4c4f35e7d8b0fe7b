import io
import json
import zipfile

from workbench.collect.jsonwalk import array_elements
from workbench.redact import parse_span, redact


def test_parse_span():
    assert parse_span("L3") == (None, "L", 3, 3)
    assert parse_span("L3-5") == (None, "L", 3, 5)
    assert parse_span("data/tweets.js|C10:20") == ("data/tweets.js", "C", 10, 20)


def test_char_spans_become_null_and_later_spans_move():
    text = '{"messages": [ {"id": 1, "t": "é"} , {"id": 2},{"id": 3} ]}'
    spans = [f"C{s}:{e}" for _, s, e, _ in array_elements(text, ["messages"])]
    data, moved = redact(text.encode(), None, [spans[0]], spans[1:])
    new = data.decode()
    assert json.loads(new)["messages"] == [None, {"id": 2}, {"id": 3}]
    for span, want in zip(spans[1:], (2, 3), strict=True):
        _, _, s, e = parse_span(moved[span])
        assert json.loads(new[s:e])["id"] == want


def test_bom_and_encoding_are_kept():
    text = '[{"id": "é"}, {"id": 2}]'
    raw = text.encode("utf-16")
    data, _ = redact(raw, None, ["C1:12"], [])
    assert data.startswith(b"\xff\xfe")
    assert json.loads(data.decode("utf-16")) == [None, {"id": 2}]


def test_lines_are_emptied_keeping_crlf():
    raw = b"a\r\nb\r\nc\r\n"
    data, moved = redact(raw, None, ["L2"], ["L3"])
    assert data == b"a\r\n\r\nc\r\n" and moved == {"L3": "L3"}


def test_zip_member_is_rewritten():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/tweets.js", 'window.YTD.tweets.part0 = [{"a":1},{"a":2}]')
        archive.writestr("data/account.js", "unchanged")
    text = 'window.YTD.tweets.part0 = [{"a":1},{"a":2}]'
    spans = [f"data/tweets.js|C{s}:{e}" for _, s, e, _ in array_elements(text, start=26)]
    data, moved = redact(buffer.getvalue(), None, spans[:1], spans[1:])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("data/tweets.js") == b'window.YTD.tweets.part0 = [null,{"a":2}]'
        assert archive.read("data/account.js") == b"unchanged"
    _, _, s, e = parse_span(moved[spans[1]])
    assert text.replace('{"a":1}', "null")[s:e] == '{"a":2}'
