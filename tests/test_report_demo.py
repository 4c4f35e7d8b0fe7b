"""The report on the demo case: evidence under every requirement, the planted findings, small enough."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from workbench.case import Case
from workbench.demo.evidence import tag_demo_evidence
from workbench.report.render import render_report


@pytest.fixture
def demo_copy(demo_case, tmp_path):
    """A copy of the session's demo case (rendering writes to the case)."""
    shutil.copytree(demo_case.path, tmp_path / "demo")
    case = Case.open(tmp_path / "demo")
    yield case
    case.close()


def test_the_demo_report_shows_evidence_findings_and_stays_small(demo_copy):
    tagged = tag_demo_evidence(demo_copy)
    assert tagged >= 8 and tag_demo_evidence(demo_copy) == tagged  # again: same items, no new notes
    assert len(demo_copy.notes()) == 5
    result = render_report(demo_copy, tz="Europe/Amsterdam")
    page = result.html.read_text(encoding="utf-8")
    assert result.bytes < 10_000_000 and result.evidence == tagged
    assert {"timeline", "sentiment", "entities", "accounts", "bursts", "coordination", "network",
            "static_map", "map"} <= set(result.figures)
    assert "No evidence is tagged against this requirement." not in page
    for number in (1, 2, 3):
        assert re.search(rf"<h3>{number}\. .*?\d item\(s\) tagged as evidence", page, re.S)
    # The planted coordinated cluster (twelve fresh accounts) heads the coordination table.
    coordination = page.split('id="fig-coordination"')[1].split('id="fig-network"')[0]
    first_row = re.search(r"<tbody><tr><td[^>]*>0</td><td[^>]*>(\d+)</td>", coordination)
    assert first_row and int(first_row.group(1)) == 12
    # The burst of the night of the fire, with what drove it.
    bursts = page.split('id="fig-bursts"')[1].split('id="fig-coordination"')[0]
    assert "2024-03-08" in bursts and "fire" in html.unescape(bursts)
    assert demo_copy.verify().ok
