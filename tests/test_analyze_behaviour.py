"""Account behaviour: a scheduler posting round the clock against a person, scored with reasons."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from workbench.analyze.behaviour import account_indicators, automation_scores, behaviour_change

START = pd.Timestamp("2024-03-01", tz="UTC")


def rows(account: str, times: list[pd.Timestamp], texts: list[str], kind: str = "post",
         tags: list[list[str]] | None = None, sentiment: list[float] | None = None) -> list[dict]:
    return [{"uid": f"x:{account}{i}", "platform": "x", "author_handle": account, "author_id": None,
             "created_at": t, "text": text, "kind": kind,
             "hashtags": (tags or [[]] * len(times))[i],
             "sentiment": (sentiment or [np.nan] * len(times))[i]}
            for i, (t, text) in enumerate(zip(times, texts, strict=True))]


def frame(*parts: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame([r for part in parts for r in part])
    df["created_at"] = pd.to_datetime(df.created_at, utc=True)
    return df


def test_a_scheduler_scores_high_with_its_reasons_and_a_person_scores_nothing():
    bot_times = [START + pd.Timedelta(minutes=10 * i) for i in range(6 * 24 * 3)]  # 3 days, 24/7
    bot = rows("bot", bot_times, [f"Buy now #{i % 3} https://x.test/{i}" for i in range(len(bot_times))])
    rng = random.Random(1)
    person_times = sorted(START + pd.Timedelta(days=d, hours=rng.uniform(8, 22))
                          for d in range(3) for _ in range(rng.randrange(3, 9)))
    person = rows("anna", person_times, [f"thought number {w}" for w in "abcdefghijklmnopqrstuvwxyz"
                                         [:len(person_times)]])
    authors = pd.DataFrame({"handle": ["bot", "anna"], "created_at": pd.to_datetime(
        ["2024-02-25", "2015-01-01"], utc=True), "followers": [1, 300], "following": [900, 250]})
    scores = automation_scores(account_indicators(frame(bot, person), authors)).set_index("account")
    b, a = scores.loc["bot"], scores.loc["anna"]
    assert b.posts == 432 and round(b.posts_per_day) == 144
    assert b.gap_cv == 0 and b.max_in_10min == 1
    assert b.duplicate_share > 0.99  # links and numbers aside, one text
    assert 0.24 <= b.sleepless_share <= 0.26
    assert round(b.age_days_at_first_post) == 5 and b.follower_ratio < 0.01
    assert b.automation == 95 and len(b.reasons) == 6  # all but bursts and reposts
    assert "posts at even intervals (gap variation 0.00)" in b.reasons
    assert any("quietest six hours" in r for r in b.reasons)
    assert a.automation == 0 and a.reasons == [] and a.sleepless_share == 0


def test_max_in_ten_minutes_and_repost_share_are_exact():
    times = [START + pd.Timedelta(seconds=s) for s in (0, 60, 120, 599, 601, 5000)]
    df = frame(rows("r", times, ["a", "b", "c", "d", "e", "f"], kind="repost"))
    row = account_indicators(df).iloc[0]
    assert row.max_in_10min == 4 and row.repost_share == 1.0 and row.posts == 6


def test_behaviour_change_compares_an_account_with_its_own_past():
    before = [START + pd.Timedelta(hours=12 * i) for i in range(10)]  # 2 a day for 5 days
    after = [START + pd.Timedelta(days=6, hours=i) for i in range(24)]  # 24 in the last day
    df = frame(rows("c", before + after, ["x"] * 34,
                    tags=[["local"]] * 10 + [["newtag"]] * 24,
                    sentiment=[0.5] * 10 + [-0.5] * 24))
    change = behaviour_change(df, recent_days=1).iloc[0]
    assert change.posts_before == 10 and change.posts_recent == 24
    assert change.cadence_change > 10 and change.new_hashtag_share == 1.0
    assert change.sentiment_change == -1.0
