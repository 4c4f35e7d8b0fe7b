"""Terms and hashtags over time: series, bursts with the words that drove them, forecasts, emerging terms.

Burst detection (explainable on purpose). Items are counted per bin of ``freq``. Each bin is
compared with the ``baseline`` bins before it: their mean ``m`` and standard deviation ``s``. The
bin's score is ``(count - m) / sqrt(max(m, s**2, 1))``: a Poisson z-score (a Poisson count's variance
equals its mean), widened to the observed variance when the trailing bins are more jumpy than Poisson,
so a naturally bursty series needs a bigger jump. A bin with score >= ``k`` and at least
``min_count`` items is bursting; consecutive bursting bins form one burst. A burst's drivers are the
terms (and hashtags) over-represented in the burst against its baseline window: lift is the share of
burst items using the term divided by the share of baseline items using it (both add-one smoothed,
so a term absent before still gets a finite lift), and terms are
ranked by ``count * log(lift)`` (frequent and strongly over-represented first).
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.analyze.bins import bin_range, floor_times, local_times, parse_freq, resolve_freq, season
from workbench.analyze.stopwords import STOP_LANGS, main_languages, stop_words, unclitic
from workbench.errors import WorkbenchError

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")


def terms(text: object, *, min_length: int = 3, stops: frozenset[str] | None = None) -> list[str]:
    """The content words of a post: lower-cased, without links, @mentions, numbers or stop words.

    A hashtag's word counts as a term (``#Explosion`` gives ``explosion``). ``stops`` are the stop
    words (default :func:`stop_words`). Clitics and elisions that are stop words come off a word
    first, so "it's", "don't" and "qu'il" go as stop words and "Trump's" counts as "trump".
    """
    if not isinstance(text, str) or not text:
        return []
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    stops = stop_words() if stops is None else stops
    found = (unclitic(w.casefold().replace("’", "'").strip("'-"), stops) for w in _WORD.findall(text))
    return [w for w in found if len(w) >= min_length and w not in stops]


def _item_terms(items: pd.DataFrame, kind: str, languages: set[str] | None = None) -> pd.Series:
    """Per item, its terms without the stop words of its own language and of ``languages`` (the
    case's, by default the items' :func:`main_languages`, else :data:`STOP_LANGS`); :func:`_tokens`
    when the items carry no language column, and for hashtags."""
    if kind != "terms" or "language" not in items.columns or "text" not in items.columns:
        return _tokens(items, kind)
    own = items["language"].astype(object)
    main = (main_languages(own) if languages is None else set(languages)) or set(STOP_LANGS)
    text = items["text"].astype(object).where(items["text"].notna(), "").astype(str)
    if "title" in items.columns:
        text = items["title"].astype(object).where(items["title"].notna(), "").astype(str) + " " + text
    stops_of = {lang: stop_words(main | {lang}) for lang in own.dropna().unique() if isinstance(lang, str)}
    plain = stop_words(main)
    found = [terms(t, stops=stops_of.get(lang, plain) if isinstance(lang, str) else plain)
             for t, lang in zip(text, own, strict=True)]
    return pd.Series(found, index=items.index, dtype=object)


def _hashtags(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(h).lstrip("#").casefold() for h in value if h]
    return []


def _tokens(items: pd.DataFrame, kind: str) -> pd.Series:
    """Per item, its terms (``kind="terms"``, from title and text) or hashtags (``kind="hashtags"``)."""
    if kind == "hashtags":
        if "hashtags" not in items.columns:
            raise WorkbenchError("the items have no hashtags column", hint="pass the frame from case.items()")
        return items["hashtags"].map(_hashtags)
    if kind != "terms":
        raise WorkbenchError(f"unknown kind {kind!r}", hint='use "terms" or "hashtags"')
    if "text" not in items.columns:
        raise WorkbenchError("the items have no text column", hint="pass the frame from case.items()")
    text = items["text"].fillna("").astype(str)
    if "title" in items.columns:
        text = items["title"].fillna("").astype(str) + " " + text
    return text.map(terms)


def _counts(token_lists: Iterable[list[str]], *, per_item: bool = True) -> Counter:
    """Term counts; ``per_item`` counts a term once per item however often the item repeats it."""
    counter: Counter = Counter()
    for tokens in token_lists:
        counter.update(set(tokens) if per_item else tokens)
    return counter


def term_series(items: pd.DataFrame, words: Sequence[str] | None = None, *, kind: str = "terms",
                freq: str = "1h", top: int = 10, tz: str = "UTC") -> pd.DataFrame:
    """How many items use each term (or hashtag) per bin of ``freq``.

    ``words`` picks the terms (matched lower-case, hashtags without ``#``); by default the ``top``
    most used. Empty bins count 0. ``freq`` may be ``"auto"`` (see :func:`workbench.analyze.bins.
    resolve_freq`). Returns columns ``time``, ``term``, ``count`` (items, not mentions);
    ``attrs["freq"]`` is the width used.
    """
    times = local_times(items, tz)
    freq = resolve_freq(freq, times, tz=tz)
    bins = floor_times(times, freq)
    tokens = _tokens(items.loc[bins.index], kind)
    if words is None:
        chosen = [w for w, _ in _counts(tokens).most_common(top)]
    else:
        chosen = [w.lstrip("#").casefold() for w in words]
    if bins.empty or not chosen:
        empty = pd.DataFrame({"time": pd.Series(dtype=bins.dtype), "term": pd.Series(dtype=str),
                              "count": pd.Series(dtype="int64")})
        empty.attrs["freq"] = freq
        return empty
    wanted = set(chosen)
    pairs = pd.DataFrame({"time": bins.array, "term": tokens.map(lambda t: sorted(wanted.intersection(t)))})
    pairs = pairs.explode("term").dropna(subset=["term"])
    full = bin_range(bins.min(), bins.max(), freq)
    table = pairs.groupby(["time", "term"]).size().unstack(fill_value=0)
    table = table.reindex(index=full, columns=chosen, fill_value=0)
    table.columns.name = "term"
    out = table.stack().rename("count").reset_index().astype({"count": "int64"})
    out.attrs["freq"] = freq
    return out


def hashtag_series(items: pd.DataFrame, hashtags: Sequence[str] | None = None, **options) -> pd.DataFrame:
    """:func:`term_series` over the hashtags column; same options and columns."""
    return term_series(items, hashtags, kind="hashtags", **options)


def counts_series(items: pd.DataFrame, freq: str = "1h", *, tz: str = "UTC") -> pd.Series:
    """Items per bin of ``freq`` (or ``"auto"``) as a Series on a complete time index (empty bins 0);
    ``attrs["freq"]`` is the width used."""
    times = local_times(items, tz)
    freq = resolve_freq(freq, times, tz=tz)
    bins = floor_times(times, freq)
    if bins.empty:
        counts = pd.Series(dtype="int64", name="count")
    else:
        full = bin_range(bins.min(), bins.max(), freq)
        counts = bins.value_counts().reindex(full, fill_value=0).rename("count").astype("int64")
    counts.attrs["freq"] = freq
    return counts


def burst_scores(counts: pd.Series, *, baseline: int = 24, min_history: int | None = None) -> pd.DataFrame:
    """Score every bin of ``counts`` against the ``baseline`` bins before it (see the module doc).

    Returns columns ``time``, ``count``, ``baseline`` (trailing mean), ``baseline_std`` and
    ``score`` (NaN while fewer than ``min_history`` bins, default ``baseline // 4`` or 3, precede).
    """
    min_history = max(3, baseline // 4) if min_history is None else min_history
    values = counts.astype(float)
    trailing = values.shift(1).rolling(baseline, min_periods=min_history)
    mean, std = trailing.mean(), trailing.std(ddof=0)
    spread = np.sqrt(np.maximum(np.maximum(mean, std**2), 1.0))
    return pd.DataFrame({"time": counts.index, "count": counts.to_numpy(), "baseline": mean.to_numpy(),
                         "baseline_std": std.to_numpy(), "score": ((values - mean) / spread).to_numpy()})


def drivers(burst: pd.DataFrame, before: pd.DataFrame, *, kind: str = "terms", top: int = 10,
            min_count: int = 3) -> list[dict]:
    """Terms (or hashtags) over-represented in the ``burst`` items against the ``before`` items.

    Each is ``{"term", "count", "baseline_count", "lift"}``, ranked by ``count * log(lift)``; only terms
    used by at least ``min_count`` burst items and with lift > 1 are kept. Terms leave out the stop
    words of each item's language and of the main languages of the burst and the items before it.
    """
    languages = (main_languages(pd.concat([burst["language"], before["language"]], ignore_index=True))
                 if "language" in burst.columns and "language" in before.columns else None)
    now, then = _counts(_item_terms(burst, kind, languages)), _counts(_item_terms(before, kind, languages))
    n_now, n_then = len(burst), len(before)
    found = []
    for term, count in now.items():
        if count < min_count:
            continue
        lift = ((count + 1) / (n_now + 1)) / ((then[term] + 1) / (n_then + 1))
        if lift > 1:
            found.append({"term": term, "count": count, "baseline_count": then[term], "lift": round(lift, 2)})
    found.sort(key=lambda d: (-d["count"] * math.log(d["lift"]), d["term"]))
    return found[:top]


def detect_bursts(items: pd.DataFrame, freq: str = "1h", *, baseline: int = 24, k: float = 4.0,
                  min_count: int = 5, top_terms: int = 10, tz: str = "UTC") -> pd.DataFrame:
    """Bursts in the items' volume, each with the terms and hashtags that drove it.

    The method (trailing baseline, Poisson z-score widened to the observed variance, threshold ``k``)
    is in the module doc. Returns one row per burst: ``start``, ``end`` (end of the last bursting
    bin), ``peak`` (the busiest bin), ``count`` (items in the burst), ``baseline`` (mean items per bin
    before the burst), ``baseline_std``, ``score`` (the highest bin score), ``terms`` and ``hashtags``
    (lists of ``{"term", "count", "baseline_count", "lift"}``, see :func:`drivers`).
    """
    times = local_times(items, tz)
    freq = resolve_freq(freq, times, tz=tz)
    bins = floor_times(times, freq)
    counts = counts_series(items, freq, tz=tz)
    scored = burst_scores(counts, baseline=baseline)
    hot = (scored["score"] >= k) & (scored["count"] >= min_count)
    run = (hot != hot.shift(fill_value=False)).cumsum()[hot]
    step = parse_freq(freq).step  # a calendar offset for weeks and months
    has_tags = "hashtags" in items.columns
    rows = []
    for _, span in scored[hot].groupby(run):
        first, last = span.index[0], span.index[-1]
        start, end = span["time"].iloc[0], span["time"].iloc[-1] + step
        opening = scored.loc[first]
        window = bins[(bins >= start) & (bins < end)].index
        earlier = bins[(bins >= start - baseline * step) & (bins < start)].index
        burst_items, before_items = items.loc[window], items.loc[earlier]
        rows.append({
            "start": start, "end": end, "peak": span.loc[span["count"].idxmax(), "time"],
            "count": int(span["count"].sum()), "bins": last - first + 1,
            "baseline": round(float(opening["baseline"]), 2),
            "baseline_std": round(float(opening["baseline_std"]), 2),
            "score": round(float(span["score"].max()), 2),
            "terms": drivers(burst_items, before_items, top=top_terms),
            "hashtags": (drivers(burst_items, before_items, kind="hashtags", top=top_terms)
                         if has_tags else []),
        })
    columns = ["start", "end", "peak", "count", "bins", "baseline", "baseline_std", "score",
               "terms", "hashtags"]
    return pd.DataFrame(rows, columns=columns)


#: Bins a forecast is fitted on at most (the most recent).
FORECAST_HISTORY = 2000


def forecast(data: pd.DataFrame | pd.Series, *, freq: str = "1h", horizon: int = 24, alpha: float = 0.05,
             method: str = "ets", seasonal_periods: int | str | None = "auto",
             history: int | None = FORECAST_HISTORY, tz: str = "UTC") -> pd.DataFrame:
    """Forecast the next ``horizon`` bins with a ``1 - alpha`` prediction interval (statsmodels).

    ``data`` is the items frame (counted per ``freq``, which may be ``"auto"`` or a calendar width
    such as ``1W`` or ``1M``) or a count Series on a regular time index.
    ``method="ets"`` fits an additive exponential-smoothing state-space model (ETSModel, damped
    trend, plus a season of ``seasonal_periods`` bins when two full seasons are available;
    ``"auto"``: the width's natural cycle, 24 hours, 7 days, 52 weeks, 12 months, see
    :func:`workbench.analyze.bins.season`);
    ``method="sarimax"`` fits SARIMAX(1,1,1) without drift, with a seasonal AR(1) term when the
    season is available. Lower bounds are clipped at 0, as counts cannot be negative. The models
    are additive on raw counts, so a big burst inside the history widens every interval. Only
    the last ``history`` bins are fitted (None: all): a short forecast learns little from years of
    fine bins, and fitting them takes minutes.
    Returns columns ``time``, ``forecast``, ``lower``, ``upper``.
    """
    if isinstance(data, pd.DataFrame):
        series = counts_series(data, freq, tz=tz)  # every bin, empty ones 0
        freq = series.attrs["freq"]
        step = parse_freq(freq).step
    else:
        series = data
    series = series.astype(float)
    if not isinstance(series.index, pd.DatetimeIndex) or len(series) < 10:
        raise WorkbenchError("forecast needs at least 10 bins on a time index",
                             hint="use a longer period or a finer freq")
    if not isinstance(data, pd.DataFrame):
        step = series.index.freq or pd.tseries.frequencies.to_offset(freq)
        series = series.asfreq(step, fill_value=0.0)  # a missing bin of counts is an empty one
    if seasonal_periods == "auto":
        seasonal_periods = _season(freq if isinstance(data, pd.DataFrame) else getattr(step, "freqstr", freq))
    if history and len(series) > history:
        series = series.iloc[-history:]
    season_bins = seasonal_periods if seasonal_periods and len(series) >= 2 * seasonal_periods + 2 else None
    try:
        mean, lower, upper = _fit_forecast(series, method, season_bins, horizon, alpha)
    except (ValueError, np.linalg.LinAlgError) as error:
        raise WorkbenchError(f"the {method} forecast could not be fitted: {error}",
                             hint="try the other method, a coarser freq or seasonal_periods=None") from error
    last = series.index[-1]
    times = pd.DatetimeIndex([last + step * ahead for ahead in range(1, horizon + 1)], name="time")
    return pd.DataFrame({"time": times, "forecast": np.asarray(mean, dtype=float),
                         "lower": np.clip(np.asarray(lower, dtype=float), 0, None),
                         "upper": np.asarray(upper, dtype=float)})


def _season(freq: str) -> int | None:
    try:
        return season(freq)
    except WorkbenchError:  # a width only pandas reads (e.g. business days): no season
        return None


def _fit_forecast(series: pd.Series, method: str, season: int | None, horizon: int,
                  alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Imported before the warnings are silenced: importing statsmodels sets its own warnings to
    # "always", which would win over the filter below.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings():
        # statsmodels warns about convergence and frequencies at length; the interval still stands.
        warnings.simplefilter("ignore")
        if method == "ets":
            model = ETSModel(series, error="add", trend="add", damped_trend=True,
                             seasonal="add" if season else None, seasonal_periods=season)
            result = model.fit(disp=False)
            frame = result.get_prediction(start=len(series), end=len(series) + horizon - 1).summary_frame(
                alpha=alpha)
            return frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()
        elif method == "sarimax":
            model = SARIMAX(series, order=(1, 1, 1),
                            seasonal_order=(1, 0, 0, season) if season else (0, 0, 0, 0))
            result = model.fit(disp=False)
            prediction = result.get_forecast(horizon)
            interval = prediction.conf_int(alpha=alpha)
            return (prediction.predicted_mean.to_numpy(), interval.iloc[:, 0].to_numpy(),
                    interval.iloc[:, 1].to_numpy())
        else:
            raise WorkbenchError(f"unknown forecast method {method!r}", hint='use "ets" or "sarimax"')


def emerging_terms(items: pd.DataFrame, *, recent: str = "1D", kind: str = "terms", top: int = 20,
                   min_count: int = 5) -> pd.DataFrame:
    """Terms whose share of items rose most in the last ``recent`` period against everything earlier.

    Share is the fraction of items in the period that use the term. Terms used by fewer than
    ``min_count`` recent items are ignored, and so are the stop words of each item's language and of
    the items' main languages (see :func:`drivers`). Returns columns ``term``, ``recent_count``,
    ``earlier_count``, ``recent_share``, ``earlier_share``, ``change`` (share difference) and ``lift``
    (recent share / earlier share, add-one smoothed), biggest ``change`` first.
    """
    times = local_times(items, "UTC")
    columns = ["term", "recent_count", "earlier_count", "recent_share", "earlier_share", "change", "lift"]
    if times.empty:
        return pd.DataFrame(columns=columns)
    cut = times.max() - pd.Timedelta(recent)
    now_index, then_index = times[times > cut].index, times[times <= cut].index
    tokens = _item_terms(items.loc[times.index], kind)  # stop words of the case's languages
    now, then = _counts(tokens.loc[now_index]), _counts(tokens.loc[then_index])
    n_now, n_then = max(len(now_index), 1), max(len(then_index), 1)
    rows = []
    for term, count in now.items():
        if count < min_count:
            continue
        recent_share, earlier_share = count / n_now, then[term] / n_then
        lift = ((count + 1) / (n_now + 1)) / ((then[term] + 1) / (n_then + 1))
        rows.append((term, count, then[term], round(recent_share, 4), round(earlier_share, 4),
                     round(recent_share - earlier_share, 4), round(lift, 2)))
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["change", "term"], ascending=[False, True]).head(top).reset_index(drop=True)
