"""Implausible item dates: flagged with their reason, kept in the frame, left out of time bins."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analyze import dates

NOW = pd.Timestamp("2026-01-01T00:00Z")


def items(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["uid", "platform", "created_at", "collected_at"])
    for column in ("created_at", "collected_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    frame["platform"] = frame["platform"].astype(object)
    return frame


@pytest.mark.far_dates
def test_each_implausible_date_is_flagged_with_its_reason():
    frame = items([
        ("a", "twitter", "2016-05-01T10:00Z", "2024-01-01"),   # fine
        ("b", "twitter", "2001-01-01T10:00Z", "2024-01-01"),   # before Twitter
        ("c", "Telegram", "2012-01-01T10:00Z", "2024-01-01"),  # before Telegram (any case)
        ("d", "web", "1851-09-18T10:00Z", "2024-01-01"),       # a web page may be that old
        ("e", "generic", "1970-01-01T00:00Z", "2024-01-01"),   # a missing time written as 0
        ("f", "twitter", "2999-01-01T00:00Z", "2024-01-01"),   # after its collection
        ("g", "twitter", "2024-01-01T12:00Z", "2024-01-01"),   # half a day late: zone slack
        ("h", None, "2030-01-01T00:00Z", None),                # no collection time: the future
        ("i", "twitter", None, "2024-01-01"),                  # no time: nothing to judge
    ])
    reasons = dates.date_problems(frame, now=NOW)
    assert reasons.index.equals(frame.index) and reasons.name == "date_problem"
    assert reasons.to_dict() == {
        0: None, 1: "before twitter existed (2006-03-21)", 2: "before telegram existed (2013-08-14)",
        3: None, 4: "at the Unix epoch (a missing time written as 0)", 5: "after collection",
        6: None, 7: "in the future", 8: None}
    assert dates.plausible(frame, now=NOW).tolist() == [True, False, False, True, False, False, True,
                                                        False, True]


@pytest.mark.far_dates
def test_the_flagged_items_are_listed_and_summed_up_never_dropped():
    frame = items([("a", "twitter", "2016-05-01", "2024-01-01")]
                  + [(f"x{i}", "twitter", "2999-01-01", "2024-01-01") for i in range(30)]
                  + [("old", "reddit", "2001-01-01", "2024-01-01")])
    flagged = dates.implausible_items(frame, now=NOW)
    assert list(flagged.columns) == ["uid", "platform", "created_at", "collected_at", "reason"]
    assert len(flagged) == 31 and "a" not in set(flagged["uid"]) and len(frame) == 32
    note = dates.left_out_note(flagged)
    assert note.startswith("31 items have an implausible date and are left out of the time bins")
    assert "30 dated after collection" in note and "1 dated before reddit existed (2005-06-23)" in note
    assert "stay in the case" in note
    assert dates.left_out_note(flagged.iloc[:0]) == ""
    assert dates.left_out_note(flagged.iloc[:1]).startswith("1 item has an implausible date and is")


@pytest.mark.far_dates
def test_frames_without_the_columns_are_judged_on_what_they_have():
    bare = pd.DataFrame({"created_at": pd.to_datetime(["2016-05-01", "2999-01-01"], utc=True)})
    assert dates.date_problems(bare, now=NOW).tolist() == [None, "in the future"]
    assert dates.date_problems(pd.DataFrame({"text": ["x"]})).tolist() == [None]
    assert dates.date_problems(bare.iloc[:0]).empty


def test_the_platform_table_is_dated_and_lower_case():
    for name, day in dates.PLATFORM_START.items():
        assert name == name.lower() and pd.Timestamp(day) < pd.Timestamp("2024-01-01")
    assert dates.PLATFORM_START["twitter"] == "2006-03-21"


def test_an_item_dated_2999_in_the_store_is_read_and_flagged_on_any_pandas(tmp_path):
    from workbench.case import Case

    export = tmp_path / "export.csv"
    export.write_text("id,created_at,text\na,2024-03-01T10:00:00Z,now\nb,2999-03-01T10:00:00Z,later\n"
                      "c,0001-01-01T00:00:00Z,never\n", encoding="utf-8")
    case = Case.create(tmp_path / "case", title="Far", legal_basis="public interest research",
                       retention_until="2099-01-01")
    try:
        case.import_file(export, progress=False)
        frame = case.items()
        assert [t.year for t in frame["created_at"]] == [1, 2024, 2999]
        reasons = dates.date_problems(frame, now=NOW).tolist()
        assert reasons[1] is None and reasons[2] == "after collection"
    finally:
        case.close()
