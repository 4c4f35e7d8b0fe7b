"""The case report: content, escaping, pseudonyms, offline figures and map, PDF, audit."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from datetime import date

import pytest

from tests.conftest import refuse_network
from workbench.case import Case
from workbench.errors import WorkbenchError
from workbench.report.pseudonym import Pseudonymiser
from workbench.report.render import render_report

HOSTILE = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
REQUIREMENTS = ["Who posted first about the river fire?", "Did anyone act in concert?",
                "Where were the photos taken?"]
HANDLES = ("alice_rivers", "bob_harbour", "carol_quay", "dave_dock")


def posts() -> list[dict]:
    rows = []
    for i in range(24):
        handle = HANDLES[i % 4]
        rows.append({
            "id": str(i), "created_at": f"2024-03-0{1 + i // 8}T{8 + i % 8:02d}:{i:02d}:00Z",
            "author": handle, "author_id": f"u{1000 + i % 4}", "name": f"{handle.title()} Person",
            "text": f"river fire update {i} @{HANDLES[(i + 1) % 4]} see https://example.org/{handle}/{i}",
            "url": f"https://social.example/{handle}/status/{i}", "lat": 51.9 + i / 100, "lon": 4.4,
            "mentions": [HANDLES[(i + 1) % 4]],
        })
    rows[0]["text"] = f"first! {HOSTILE} {IMG} {{{{ 7*7 }}}} & more"
    rows[0]["name"] = HOSTILE
    rows[1]["url"] = "javascript:window.__pwned=3"
    rows[2]["text"] = f'"><svg onload="window.__pwned=4"> quoted {HOSTILE}'
    return rows


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Case:
    """A small located case with tagged evidence and notes (renders only add to it)."""
    tmp_path = tmp_path_factory.mktemp("report")
    case = Case.create(tmp_path / "small", title=f"River fire {HOSTILE}", legal_basis="Public interest",
                       retention_until=date(2099, 1, 1), analyst="A. Analyst",
                       requirements=REQUIREMENTS)
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(json.dumps(p) for p in posts()), encoding="utf-8")
    case.import_file(source, format="jsonl", progress=False)
    case.locate(progress=False)
    uids = case.items()["uid"].tolist()
    case.tag(uids[:3], requirement=1, note=f"earliest {HOSTILE}")
    case.tag(uids[5], requirement=2, note="same wording")
    case.add_note(f"Nothing confirms it yet {IMG}", requirement=2)
    case.add_note("Fire reported", at="2024-03-01T09:00:00Z")
    case.add_note("Looks staged", uid=uids[5])
    yield case
    case.close()


def page_of(result) -> str:
    return result.html.read_text(encoding="utf-8")


def test_report_shows_the_case_requirements_evidence_and_notes(small):
    result = render_report(small, tz="Europe/Amsterdam")
    page = page_of(result)
    assert result.html == small.path / "reports" / "report.html" and result.bytes == len(page.encode())
    assert result.evidence == 4 and result.requirements == 3 and result.pdf is None
    for text in ("A. Analyst", "Public interest", "2099-01-01", REQUIREMENTS[0], "Looks staged",
                 "Nothing confirms it yet", "same wording"):
        assert html.escape(text, quote=False) in page
    # Requirement 3 has no evidence, and says so; 1 and 2 list theirs.
    sections = re.split(r"<h3>\d\. ", page.split('id="figures"')[0])
    assert "3 item(s) tagged as evidence" in sections[1] and "No evidence" not in sections[1]
    assert "1 item(s) tagged as evidence" in sections[2]
    assert "No evidence is tagged against this requirement." in sections[3]
    # Each evidence item: link, time in the zone, author, raw SHA-256, provenance.
    first = small.items().iloc[0]
    assert first["raw_sha256"] in page and "2024-03-01 09:00:00 CET" in page
    assert "https://social.example/alice_rivers/status/0" in page and "@alice_rivers" in page
    assert "import:jsonl" in page or "jsonl" in page


def test_hostile_text_is_escaped_and_only_http_links_are_links(small):
    page = page_of(render_report(small))
    body = page.split("<body>", 1)[1]
    outside_map = re.sub(r'<iframe[^>]*srcdoc="[^"]*"', "<iframe", body)
    assert "<script" not in outside_map.lower() and "<img" not in outside_map.lower()
    assert "onerror=" not in outside_map.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in outside_map
    assert "{{ 7*7 }}" in outside_map and "49" not in re.findall(r"first! .{0,120}", outside_map)[0]
    hrefs = re.findall(r'href="([^"]*)"', outside_map)
    assert all(h.startswith(("#", "https://")) for h in hrefs)
    assert not any("javascript" in h for h in hrefs)
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_figures_are_inline_sanitised_svg(small):
    result = render_report(small)
    page = page_of(result)
    assert {"timeline", "accounts", "static_map", "map"} <= set(result.figures)
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) >= 4
    for svg in svgs:
        assert "<script" not in svg and "<foreignObject" not in svg and " onload" not in svg
    assert "Fire reported" in page  # the timed note is drawn on the timeline


def test_report_opens_offline_in_a_real_browser_and_runs_nothing_of_the_posts(small, browser, tmp_path):
    result = render_report(small)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, blocked = [], []
    refused = refuse_network(page, ("file://", "about:", "data:"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(result.html.as_uri())
        frame = page.frame_locator("iframe.map")
        frame.locator(".leaflet-container").wait_for()
        assert frame.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 0  # the map ran
        assert page.evaluate("window.__pwned") is None
        for child in page.frames[1:]:
            assert child.evaluate("window.__pwned") is None
        assert errors == [] and refused == [] and blocked == []
        assert page.locator("svg").count() >= 4
        text = page.locator("#evidence").inner_text()
        assert HOSTILE in text and "{{ 7*7 }}" in text
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    finally:
        page.close()


def test_pseudonymised_report_names_no_real_account(small):
    result = render_report(small, "shared", pseudonymise=True)
    page = html.unescape(page_of(result))
    assert result.pseudonymised
    for real in (*HANDLES, "u1000", "u1001", "Alice_Rivers Person", "social.example/alice_rivers",
                 "example.org/alice"):
        assert real.lower() not in page.lower(), real
    assert "withheld (pseudonymised report)" in page and "Pseudonymised report" in page
    found = set(re.findall(r"account-[0-9a-f]{8}", page)) - {"account-1a2b3c4d"}  # the banner's example
    assert len(found) == 4  # four authors, each one pseudonym whether named by handle, id or name
    # Every item keeps its raw SHA-256: the evidence can still be checked against the case.
    assert small.items().iloc[0]["raw_sha256"] in page


def test_pseudonyms_are_stable_within_a_report_and_differ_between_reports():
    one, two = Pseudonymiser(), Pseudonymiser()
    assert one.account("@Alice") == one.account("alice") == one.account(" ALICE ")
    assert one.account("alice") != two.account("alice")
    assert re.fullmatch(r"account-[0-9a-f]{8}", one.account("alice"))
    assert one.text("hi @alice and @bob@example.social") == \
        f"hi @{one.account('alice')} and @{one.account('bob@example.social')}"
    assert one.item("twitter:1") != two.item("twitter:1") and one.item("twitter:1") == one.item("twitter:1")


def test_pseudonymiser_ties_ids_handles_and_names_of_an_author_together():
    import pandas as pd

    frame = pd.DataFrame({"uid": ["x:1", "x:2"], "author_handle": ["alice", None],
                          "author_id": ["42a", "42a"], "author_name": ["Alice Smith", "Alice Smith"],
                          "text": ["Alice Smith says hi to @alice, see https://x.example/alice", "bye"],
                          "url": ["https://x.example/alice/1", None], "mentions": [["alice"], []],
                          "links": [["https://x.example/alice"], []]})
    p = Pseudonymiser()
    out = p.items(frame)
    alias = p.account("alice")
    assert out["author_handle"][0] == alias and out["author_handle"].isna()[1]
    assert out["author_id"].tolist() == [alias] * 2
    assert out["author_name"].tolist() == [alias] * 2 and out["mentions"].tolist() == [[alias], []]
    assert out["text"][0] == f"{alias} says hi to @{alias}, see [link withheld]"
    assert out["url"].isna().all() and out["links"].tolist() == [[], []]
    assert not out["uid"].str.startswith("x:").any()


def test_rendering_is_audited_with_the_hashes_of_the_files_written(small):
    result = render_report(small, "weekly")
    seq, action, detail = small.db.execute(
        "SELECT seq, action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    detail = json.loads(detail)
    assert action == "report.rendered" and detail["name"] == "weekly"
    assert detail["files"] == {"weekly.html": hashlib.sha256(result.html.read_bytes()).hexdigest()}
    assert detail["options"]["pseudonymise"] is False and detail["options"]["tz"] == "UTC"
    assert small.verify().ok
    # The page quotes the audit head as it was before its own entry.
    assert f"entry {seq - 1} " in page_of(result)


def test_report_of_a_period_and_a_case_without_evidence(case):
    result = render_report(case, since="2024-01-01", until="2024-01-02")
    page = page_of(result)
    assert result.evidence == 0 and "No items are tagged evidence." in page
    assert "The plan lists no requirements." in page and "No located items" in page


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "../escape"}, "report name"), ({"name": "r.html"}, "report name"),
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
])
def test_bad_options_are_clear_errors(case, kwargs, message):
    with pytest.raises(WorkbenchError, match=message):
        render_report(case, **kwargs)


def test_pdf_is_printed_by_chromium(small):
    if not shutil.which("chromium"):
        pytest.skip("needs chromium on PATH")
    result = render_report(small, pdf=True)
    assert result.pdf == small.path / "reports" / "report.pdf"
    assert result.pdf.read_bytes()[:5] == b"%PDF-" and result.pdf.stat().st_size > 10_000
    assert set(result.sha256) == {"report.html", "report.pdf"}


def test_missing_chromium_is_a_clear_error(small, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(WorkbenchError, match="WORKBENCH_CHROMIUM") as error:
        render_report(small, pdf=True)
    assert "apt-get install" in error.value.hint


def test_a_period_limits_the_figures_but_not_the_evidence(small):
    result = render_report(small, "period", since="2024-03-02", until="2024-03-03")
    page = page_of(result)
    assert "<dd>16 (2024-03-02" in page and "report period 2024-03-02 to 2024-03-03" in page
    assert result.evidence == 4  # tagged on the first day, listed all the same


def test_the_executive_summary_says_plainly_when_there_are_no_judgements(case):
    page = page_of(render_report(case))
    summary = page.split('<section id="summary">')[1].split("</section>")[0]
    assert "Executive summary: key judgements" in summary and "No key judgements yet." in summary
    assert page.index('id="summary"') < page.index('id="requirements"')  # at the top


def test_the_executive_summary_shows_each_judgement_with_requirement_confidence_and_evidence(small):
    uids = small.items()["uid"].tolist()
    small.judge(f"Alice posted first {HOSTILE}", requirement=1, confidence="high",
                likelihood="almost certain", evidence=uids[:2])
    small.judge("Bob and Carol acted in concert", requirement=2, confidence="low", evidence=[uids[9]])
    try:
        page = page_of(render_report(small))
        summary = page.split('<section id="summary">')[1].split("</section>")[0]
        first, second = summary.split('<li id="kj-')[1:]
        assert "KJ1</span><bdi>Alice posted first &lt;script&gt;" in first and "<script" not in summary
        assert f"{REQUIREMENTS[0]}" in html.unescape(first) and 'href="#req-1"' in first
        assert "confidence-high" in first and "almost certain (≥95%)" in first
        assert first.count('href="#ev-') == 2  # linked to the evidence list, which lists them
        assert "confidence-low" in second and 'href="#req-2"' in second and "Likelihood" not in second
        assert 'id="ev-' in page and second.count('href="#ev-') == 1  # item 9 is evidence now
        assert 'href="#kj-1"' in page.split('id="req-1"')[1].split('id="req-2"')[0]
        shared = html.unescape(page_of(render_report(small, "shared", pseudonymise=True)))
        assert "Alice posted first" in shared and uids[9] not in shared
    finally:
        for judgement_id in small.judgements()["id"]:
            small.remove_judgement(int(judgement_id))
        small.untag(uids[9])


def test_tables_break_no_number_and_size_to_their_content(small):
    page = page_of(render_report(small))
    style = page.split("<style>")[1].split("</style>")[0]
    cell_rule = re.search(r"th, td \{([^}]*)\}", style).group(1)
    assert "anywhere" not in cell_rule and "break-word" in cell_rule
    assert re.search(r"td\.num \{[^}]*white-space: nowrap", style)
    method = page.split('id="method"')[1]
    runs = method.split("<tbody>")[1].split("</tbody>")[0]
    assert re.search(r'<td class="num">24</td>', runs)  # items imported: one unbroken number
    assert '<td class="wrap">' in runs  # the source path may break anywhere


def test_a_pseudonymised_repost_known_from_text_keeps_its_author_as_a_pseudonym():
    import pandas as pd

    from workbench.analyze.network import interaction_graph
    from workbench.collect.text_interactions import repost_pointer

    original = repost_pointer("twitter", "Alice", "the river is on fire")
    frame = pd.DataFrame({
        "uid": ["twitter:1", "twitter:2"], "platform": ["twitter"] * 2, "kind": ["post", "repost"],
        "author_handle": ["alice", "bob"], "author_id": ["alice", "bob"], "author_name": [None, None],
        "created_at": pd.to_datetime(["2024-03-01T10:00Z", "2024-03-01T10:05Z"]),
        "text": ["the river is on fire", "RT @alice: the river is on fire"],
        "reply_to": [None, None], "repost_of": [None, original], "quote_of": [None, None],
        "mentions": [[], ["alice"]], "caveats": [[], ["interactions-from-text", "mentions-from-text"]]})
    p = Pseudonymiser()
    out = p.items(frame)
    alice, bob = p.account("alice"), p.account("bob")
    assert alice in out["repost_of"][1] and "alice" not in out["repost_of"][1].lower()
    assert out["repost_of"][1] == p.item(original)  # stable within the report
    graph = interaction_graph(out)
    assert graph.has_edge(bob, alice) and graph.edges[bob, alice]["repost"] == 1


def test_the_network_note_says_how_many_interactions_were_read_from_text():
    import pandas as pd

    from workbench.collect.text_interactions import repost_pointer
    from workbench.report import figures

    frame = pd.DataFrame({
        "uid": ["twitter:1", "twitter:2", "twitter:3"], "platform": ["twitter"] * 3,
        "kind": ["post", "repost", "post"], "author_handle": ["alice", "bob", "carol"],
        "author_id": ["alice", "bob", "carol"], "author_name": [None] * 3,
        "created_at": pd.to_datetime(["2024-03-01T10:00Z", "2024-03-01T10:05Z", "2024-03-01T11:00Z"]),
        "text": ["fire", "RT @alice: fire", "hi @bob"], "reply_to": [None] * 3,
        "repost_of": [None, repost_pointer("twitter", "alice", "fire"), None], "quote_of": [None] * 3,
        "mentions": [[], ["alice"], ["bob"]],
        "caveats": [[], ["interactions-from-text", "mentions-from-text"],
                    ["interactions-from-text", "mentions-from-text"]]})
    note = figures.interactions(frame).note
    assert "Read from the posts' text, not given by the platform: 2 mentions, 1 repost" in note


def test_top_entities_leave_out_link_shorteners():
    # On the IRA tweets t.co named 567,180 of 796,426 items, the next entity 14,281: every other bar
    # was a sliver.
    import pandas as pd

    from workbench.report.figures import top_entities

    counts = pd.DataFrame({"label": ["DOMAIN", "HASHTAG", "DOMAIN", "PLACE"],
                           "name": ["t.co", "#news", "example.org", "Berlin"], "items": [900, 40, 30, 20]})
    figure = top_entities(counts, top=2)
    assert figure.rows == [["HASHTAG", "#news", 40], ["DOMAIN", "example.org", 30]]
    assert "(t.co) are left out" in figure.note and "<svg" in figure.svg
    assert "left out" not in top_entities(counts[counts["name"] != "t.co"]).note


def test_the_static_map_of_many_places_fits_a_chart():
    # 796,426 IRA tweets located at 5,305 distinct points: the chart refused them (altair's limit
    # is 5,000 rows) and the whole report failed.
    import numpy as np
    import pandas as pd

    from workbench.report.static_map import static_map

    rng = np.random.default_rng(1)
    located = pd.DataFrame({"lat": rng.uniform(40, 44, 6000), "lon": rng.uniform(-80, -72, 6000),
                            "platform": "twitter"})
    figure = static_map(located)
    assert figure.svg and "6,000 located items" in figure.note and "to 0.1°" in figure.note
    scattered = pd.DataFrame({"lat": rng.uniform(-50, 60, 9000), "lon": rng.uniform(-120, 140, 9000),
                              "platform": "twitter"})
    assert "the 5,000 busiest points only" in static_map(scattered).note


def test_a_figure_with_too_many_rows_becomes_a_note():
    import altair as alt
    import pandas as pd

    from workbench.report.figures import safely
    from workbench.report.svg import to_svg

    figure = safely("x", "X", lambda: to_svg(alt.Chart(pd.DataFrame({"a": range(6000)})).mark_point()
                                             .encode(x="a:Q")))
    assert figure.key == "x" and "could not be drawn" in figure.note and "5000" in figure.note


def test_limits_say_how_languages_were_decided_and_which_have_no_sentiment():
    import pandas as pd

    from workbench.report.method import language_limits

    lingua = "lingua 2.1.1 (high accuracy, 20 languages)"
    items = pd.DataFrame({
        "language": ["en", "en", "ru", "und", None],
        "language_method": ["platform", lingua, f"{lingua}; by the author's other posts", lingua, None],
    }, dtype=object)
    said = language_limits(items)
    assert said[0].startswith("The language of 3 item(s) was detected from their text (lingua)")
    assert "1 of them were too short or unsure to tell alone" in said[0]
    assert said[1].startswith("Sentiment of 2 en item(s) is VADER's")
    assert said[2].startswith("1 ru item(s) have no sentiment score")
    assert said[3].startswith("1 item(s) of undetermined language")
    assert language_limits(pd.DataFrame({"text": ["x"]})) == []


OVERRIDE = "abc \u202eevil.exe\u202c tail"
UNCLOSED = "open \u202egnp.exe"


_ISOLATED = re.compile("<bdi>(.*?)</bdi>|\u2068(.*?)\u2069", re.S)


def _closed_inside_bdi(page: str, text: str) -> None:
    """``text`` (escaped) sits in a <bdi> that closes every override it opened before it ends, and
    no override anywhere (figure labels included) is outside an isolate (<bdi> or FSI..PDI)."""
    spans = [a or b for a, b in _ISOLATED.findall(page)]
    assert any(html.escape(text.split("\u202e")[0]) in s and "\u202e" in s for s in spans), text
    assert re.search(f"<bdi>{re.escape(html.escape(text))}\u202c?</bdi>", page), text
    for span in spans:
        assert span.count("\u202e") == span.count("\u202c")
    assert "\u202e" not in _ISOLATED.sub("", page)


def test_bidi_overrides_in_posts_stay_inside_an_isolate(case, write_jsonl):
    rows = [{"id": "1", "created_at": "2024-03-01T10:00:00Z", "author": "ev\u202eil", "text": OVERRIDE},
            {"id": "2", "created_at": "2024-03-01T11:00:00Z", "author": "bob", "text": UNCLOSED}]
    case.import_file(write_jsonl("bidi.jsonl", rows), format="jsonl", progress=False)
    case.tag(case.items()["uid"].tolist(), requirement=None)
    page = page_of(render_report(case))
    before_map = re.sub(r'<iframe[^>]*srcdoc="[^"]*"', "<iframe", page)
    _closed_inside_bdi(before_map, OVERRIDE)
    _closed_inside_bdi(before_map, UNCLOSED)
    _closed_inside_bdi(before_map, "ev\u202eil")
    assert case.items().set_index("id").loc["2", "text"] == UNCLOSED  # stored text unchanged
