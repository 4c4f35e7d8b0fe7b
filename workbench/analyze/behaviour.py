"""Account behaviour: indicators of automation, each explained, and change against an account's own past.

:func:`account_indicators` gives one row per account with its indicators; :func:`automation_scores`
combines them into a score of 0 to 100 that lists its reasons. Indicators, and when each counts
toward automation (thresholds are the usual rules of thumb, stated in :data:`RULES`):

- ``posts``, ``posts_per_day`` over the account's active span;
- ``median_gap_s`` and ``gap_cv``: the spacing of posts and its regularity (coefficient of
  variation of the gaps; people post in irregular bursts, schedulers at even intervals);
- ``max_in_10min``: the most posts in any ten minutes;
- ``repost_share``: reposts among its items;
- ``duplicate_share``: items whose text (case, links, handles and numbers aside) the account
  already posted;
- ``sleepless_share``: the share of posts in the account's quietest six hours of the day. People
  sleep, so their quietest six hours hold almost nothing wherever they live; an account that posts
  round the clock has about a quarter of its posts there. This needs no guess of the zone;
- ``age_days_at_first_post`` (from the account's creation time, when the platform gives it) and
  ``follower_ratio`` (followers / following, when given).

:func:`behaviour_change` compares each account's recent period with its own earlier posts: cadence,
hashtags and sentiment.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: (indicator, test, points, reason): a rule adds its points when its test holds.
RULES: tuple[tuple[str, str, float, str], ...] = (
    ("posts_per_day", ">= 72", 20, "posts {value:.0f} times a day"),
    ("gap_cv", "<= 0.3", 20, "posts at even intervals (gap variation {value:.2f})"),
    ("max_in_10min", ">= 10", 10, "{value:.0f} posts within ten minutes"),
    ("repost_share", ">= 0.9", 10, "{value:.0%} of its items are reposts"),
    ("duplicate_share", ">= 0.5", 20, "{value:.0%} of its texts repeat its own"),
    ("sleepless_share", ">= 0.15", 15, "{value:.0%} of its posts in its quietest six hours"),
    ("age_days_at_first_post", "<= 30", 15, "account {value:.0f} days old at its first post here"),
    ("follower_ratio", "<= 0.05", 5, "followers {value:.2f} per account followed"),
)
#: Fewer posts than this say too little about cadence to be scored on it.
MIN_POSTS = 5
_NOISE = re.compile(r"https?://\S+|[@#]\w+|\d+")
_EPOCH = pd.Timestamp(0, tz="UTC")


def _norm_text(text: str) -> str:
    return " ".join(_NOISE.sub(" ", str(text or "")).casefold().split())


def account_indicators(items: pd.DataFrame, authors: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per account (``author_handle``, falling back to ``author_id``) with the
    indicators of the module's docstring; NaN where one cannot be computed."""
    # Only the columns used: grouping copies every column of every group.
    frame = _columns(items, ("author_handle", "author_id", "created_at", "text", "platform", "kind"))
    frame["account"] = frame["author_handle"].fillna(frame.get("author_id"))
    frame = frame[frame.account.notna()].sort_values(["account", "created_at"])
    frame["norm"] = frame["text"].map(_norm_text)
    rows = []
    for account, group in frame.groupby("account", sort=True):
        times = (group.created_at - _EPOCH).dt.total_seconds().to_numpy()
        gaps = np.diff(times)
        span_days = max((times[-1] - times[0]) / 86400, 1 / 24)
        hours = group.created_at.dt.hour.to_numpy()
        per_hour = np.bincount(hours, minlength=24)
        window = np.array([per_hour[[(h + k) % 24 for k in range(6)]].sum() for h in range(24)])
        texts = group.norm[group.norm != ""]
        rows.append({
            "account": account, "platform": group.platform.iloc[0], "posts": len(group),
            "first_at": group.created_at.iloc[0], "last_at": group.created_at.iloc[-1],
            "posts_per_day": len(group) / span_days if len(group) >= MIN_POSTS else np.nan,
            "median_gap_s": float(np.median(gaps)) if len(gaps) else np.nan,
            "gap_cv": float(gaps.std() / gaps.mean()) if len(gaps) >= MIN_POSTS - 1
            and gaps.mean() > 0 else np.nan,
            "max_in_10min": _max_in_window(times, 600),
            "repost_share": float((group.kind == "repost").mean()),
            "duplicate_share": float(texts.duplicated().mean()) if len(texts) else np.nan,
            "sleepless_share": float(window.min() / len(group)) if len(group) >= 2 * MIN_POSTS
            else np.nan,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["age_days_at_first_post"] = np.nan
    out["follower_ratio"] = np.nan
    if authors is not None and not authors.empty:
        known = authors.drop_duplicates("handle").set_index("handle")
        created = out.account.map(known["created_at"])
        age = (out.first_at - created).dt.total_seconds() / 86400
        out["age_days_at_first_post"] = age.astype("float64")
        followers = out.account.map(known["followers"]).astype("float64")
        following = out.account.map(known["following"]).astype("float64")
        out["follower_ratio"] = (followers / following.where(following > 0)).astype("float64")
    return out


def _columns(items: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    return items[[name for name in names if name in items.columns]].copy()


def _max_in_window(times: np.ndarray, seconds: float) -> int:
    if len(times) == 0:
        return 0
    ends = np.searchsorted(times, times + seconds, side="left")
    return int((ends - np.arange(len(times))).max())


def automation_scores(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators with ``automation`` (0-100: the points of the :data:`RULES` that hold,
    capped at 100) and ``reasons`` (the rules that hold, in words), most automated first."""
    out = indicators.copy()
    scores = np.zeros(len(out))
    reasons: list[list[str]] = [[] for _ in range(len(out))]
    for column, test, points, words in RULES:
        if column not in out:
            continue
        op, limit = test.split()
        values = out[column].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            hit = values >= float(limit) if op == ">=" else values <= float(limit)
        hit &= ~np.isnan(values)
        scores += np.where(hit, points, 0)
        for i in np.flatnonzero(hit):
            reasons[i].append(words.format(value=values[i]))
    out["automation"] = np.minimum(scores, 100)
    out["reasons"] = reasons
    return out.sort_values(["automation", "posts"], ascending=[False, False]).reset_index(drop=True)


def behaviour_change(items: pd.DataFrame, *, recent_days: float = 2.0,
                     min_posts: int = MIN_POSTS) -> pd.DataFrame:
    """Each account's last ``recent_days`` against its own earlier posts: posts per day, share of
    the hashtags it used that are new, and mean sentiment, with the change in each.

    Accounts with fewer than ``min_posts`` in either period are left out."""
    frame = _columns(items, ("author_handle", "author_id", "created_at", "hashtags", "sentiment"))
    frame["account"] = frame["author_handle"].fillna(frame.get("author_id"))
    frame = frame[frame.account.notna()]
    if frame.empty:
        return pd.DataFrame()
    cut = frame.created_at.max() - pd.Timedelta(days=recent_days)
    rows = []
    for account, group in frame.groupby("account"):
        before, after = group[group.created_at < cut], group[group.created_at >= cut]
        if len(before) < min_posts or len(after) < min_posts:
            continue
        span = max((before.created_at.max() - before.created_at.min()).total_seconds() / 86400,
                   1 / 24)
        old_tags = {t.lower() for tags in before.hashtags for t in tags}
        new_tags = [t.lower() for tags in after.hashtags for t in tags]
        sentiment = pd.to_numeric(group.get("sentiment"), errors="coerce")
        rows.append({
            "account": account, "posts_before": len(before), "posts_recent": len(after),
            "per_day_before": len(before) / span, "per_day_recent": len(after) / recent_days,
            "new_hashtag_share": (sum(t not in old_tags for t in new_tags) / len(new_tags))
            if new_tags else np.nan,
            "sentiment_before": sentiment[before.index].mean(),
            "sentiment_recent": sentiment[after.index].mean(),
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["cadence_change"] = out.per_day_recent / out.per_day_before
    out["sentiment_change"] = out.sentiment_recent - out.sentiment_before
    return out.sort_values("cadence_change", ascending=False).reset_index(drop=True)
