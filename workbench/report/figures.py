"""The report's figures: altair charts from the analysis functions, rendered to static SVG.

Each figure function takes the (possibly pseudonymised) frames and returns a :class:`Figure`: a
title, the chart as SVG markup (None when there is nothing to draw), an optional table (rows of
plain values, escaped by the report template) and a note saying what the figure shows and leaves
out. A figure that cannot be drawn says why in its note instead of failing the report.

SVG comes from :mod:`workbench.report.svg`: rendered offline, then sanitised. The static map for
print is :mod:`workbench.report.static_map`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.report.svg import to_svg
from workbench.urls import is_shortener

#: Names an account (or rewrites a text) as the report shows it: itself, or its pseudonym.
Label = Callable[[str], str]
WIDTH = 720
#: Coordination kinds the report looks for (co-hashtag within a minute is too common to tell much).
COORDINATION_KINDS = ("co_similar", "co_repost", "co_link", "co_reply")
COORDINATION_WINDOW_S = 60
#: An account pair counts as coordinated from this many coordinated item pairs (one is coincidence).
MIN_PAIRS = 2
#: Time charts get the finest bin (workbench.analyze.bins.choose_freq) giving at most this many.
MAX_BINS = 400


@dataclass
class Figure:
    """One figure of the report."""

    key: str
    title: str
    svg: str | None = None
    note: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)


def dated(chart: alt.TopLevelMixin, items: pd.DataFrame) -> alt.TopLevelMixin:
    """Time axes labelled for the span of the items' (plausible) times: hours over days, dates over
    months, months and years over years (:func:`workbench.analyze.bins.axis_format`)."""
    from workbench.analyze.bins import axis_format, local_times

    times = local_times(items)
    fmt = axis_format(times.min(), times.max()) if len(times) else "%d %b %Y"
    return chart.configure_axisTemporal(format=fmt, labelAngle=-30)


def pick_freq(items: pd.DataFrame) -> str:
    """The finest bin giving at most :data:`MAX_BINS` bins over the items' plausible times (the
    analysis template's choice: :func:`workbench.analyze.bins.choose_freq`)."""
    from workbench.analyze.bins import choose_freq

    return choose_freq(items, max_bins=MAX_BINS)


def safely(key: str, title: str, build) -> Figure:
    """Build a figure; an error in one figure becomes its note, never the report's failure."""
    try:
        return build()
    except (WorkbenchError, ValueError, KeyError, TypeError, alt.MaxRowsError) as error:
        return Figure(key, title, note=f"This figure could not be drawn: {error}")


def nothing_to_draw(items: pd.DataFrame) -> bool:
    return items is None or len(items) == 0


# -- the figures ---------------------------------------------------------------------------------

def timeline(items: pd.DataFrame, notes: pd.DataFrame, *, tz: str) -> Figure:
    """Items over time by platform, with the analyst's timed notes as annotations."""
    from workbench.analyze.dates import implausible_items, left_out_note
    from workbench.analyze.timeline import volume_chart

    title = "Timeline"
    if nothing_to_draw(items):
        return Figure("timeline", title, note="No items in the period.")

    def build() -> Figure:
        freq = pick_freq(items)
        timed = notes.dropna(subset=["at"]) if len(notes) else notes
        marks = pd.DataFrame({"time": timed["at"], "label": timed["text"].map(_short)}) \
            if len(timed) else None
        chart = volume_chart(items, freq, by="platform", notes=marks, tz=tz)
        note = f"Items per {freq} bin, stacked by platform, times in {tz}."
        flagged = implausible_items(items)  # left out of the bins, kept in the case
        if len(flagged):
            note += " " + left_out_note(flagged)
        if marks is not None:
            note += f" Dashed red lines: the analyst's {len(marks)} timed note(s)."
        chart = dated(chart.properties(width=WIDTH, height=240), items)
        return Figure("timeline", title, to_svg(chart), note)

    return safely("timeline", title, build)


def sentiment(items: pd.DataFrame, *, tz: str) -> Figure:
    """Items over time by VADER sentiment band, with the share of each band as a table."""
    from workbench.analyze.timeline import sentiment_band, volume_chart

    title = "Sentiment over time"
    if nothing_to_draw(items) or "sentiment" not in items.columns:
        return Figure("sentiment", title, note="No items, or the items are not enriched.")

    def build() -> Figure:
        freq = pick_freq(items)
        chart = volume_chart(items, freq, by="sentiment", tz=tz).properties(width=WIDTH, height=200)
        bands = sentiment_band(items["sentiment"]).value_counts()
        rows = [[band, int(n), f"{n / len(items):.0%}"] for band, n in bands.items()]
        note = ("VADER compound score bands (negative <= -0.05 < neutral < 0.05 <= positive). VADER "
                "scores English only: items in other languages, or of undetermined language, are "
                "unscored.")
        return Figure("sentiment", title, to_svg(dated(chart, items)), note, ["band", "items", "share"], rows)

    return safely("sentiment", title, build)


def top_entities(counts: pd.DataFrame, *, top: int = 25) -> Figure:
    """The entities found in the most items, coloured by type, from their counts (``label``,
    ``name``, ``items``: :func:`workbench.query.entity_counts`)."""
    title = "Top entities"
    if nothing_to_draw(counts):
        return Figure("entities", title, note="No entities (the items are not enriched, or none found).")

    def build() -> Figure:
        # A link whose expansion is unknown keeps its shortener's domain (workbench.urls), which
        # says nothing of where it leads; on a large case t.co alone would outnumber the rest.
        shorteners = (counts["label"] == "DOMAIN") & counts["name"].map(is_shortener).astype(bool)
        shown = counts[~shorteners].sort_values(["items", "name"], ascending=[False, True]).head(top)
        shown = shown[["label", "name", "items"]]
        chart = alt.Chart(shown).mark_bar().encode(
            y=alt.Y("name:N", sort="-x", title=None), x=alt.X("items:Q", title="items"),
            color=alt.Color("label:N", title="type")).properties(width=WIDTH - 220)
        rows = shown.values.tolist()
        note = f"The {len(shown)} entities named in the most items (each item counted once)."
        if shorteners.any():
            left = ", ".join(sorted(counts.loc[shorteners, "name"]))
            note += f" Link shorteners' domains ({left}) are left out: they do not say where a link leads."
        return Figure("entities", title, to_svg(chart), note, ["type", "entity", "items"], rows)

    return safely("entities", title, build)


def top_accounts(items: pd.DataFrame, *, top: int = 20, label: Label = str) -> Figure:
    """The accounts with the most items, with their platforms."""
    from workbench.analyze.timeline import colour_scale

    title = "Top accounts"
    if nothing_to_draw(items):
        return Figure("accounts", title, note="No items in the period.")

    def build() -> Figure:
        account = items["author_handle"].fillna(items["author_id"]).fillna("(unknown)").astype(str).map(label)
        frame = pd.DataFrame({"account": account, "platform": items["platform"].astype(str)})
        counts = (frame.groupby(["account", "platform"]).size().rename("items").reset_index()
                  .sort_values(["items", "account"], ascending=[False, True]).head(top))
        chart = alt.Chart(counts).mark_bar().encode(
            y=alt.Y("account:N", sort="-x", title=None), x=alt.X("items:Q", title="items"),
            color=alt.Color("platform:N", scale=colour_scale("platform", counts["platform"]))
        ).properties(width=WIDTH - 220)
        rows = counts[["account", "platform", "items"]].values.tolist()
        return Figure("accounts", title, to_svg(chart), f"The {len(counts)} accounts with the most items.",
                      ["account", "platform", "items"], rows)

    return safely("accounts", title, build)


def bursts(items: pd.DataFrame, *, tz: str, text: Label = str) -> Figure:
    """Bursts of volume with the terms and hashtags that drove them (table and figure)."""
    from workbench.analyze.trends import counts_series, detect_bursts

    title = "Bursts"
    if nothing_to_draw(items):
        return Figure("bursts", title, note="No items in the period.")

    def build() -> Figure:
        freq = pick_freq(items)
        found = detect_bursts(items, freq, tz=tz)
        counts = counts_series(items, freq, tz=tz).reset_index()
        counts["time"] = counts["time"].dt.tz_localize(None)
        line = alt.Chart(counts).mark_line(interpolate="step-after", color="#4e79a7").encode(
            x=alt.X("time:T", title=f"time ({tz})"), y=alt.Y("count:Q", title=f"items per {freq}"))
        layers = [line]
        rows = []
        if len(found):
            spans = pd.DataFrame({"start": found["start"].dt.tz_localize(None),
                                  "end": found["end"].dt.tz_localize(None)})
            layers.insert(0, alt.Chart(spans).mark_rect(color="#e15759", opacity=0.25).encode(
                x="start:T", x2="end:T"))
            for row in found.itertuples(index=False):
                rows.append([_when(row.start), _when(row.end), int(row.count), row.baseline, row.score,
                             text(_terms(row.terms)), text(_terms(row.hashtags, "#"))])
        chart = alt.layer(*layers).properties(width=WIDTH, height=200)
        note = (f"Bins of {freq} scored against the 24 bins before them (a Poisson z-score widened "
                "to the observed variance; bursting at >= 4 with at least 5 items). Driving terms "
                "are over-represented in the burst against the bins before it (lift).")
        if not rows:
            note += " No burst was found."
        return Figure("bursts", title, to_svg(dated(chart, items)), note,
                      ["start", "end", "items", "baseline per bin", "score", "driving terms",
                       "driving hashtags"], rows)

    return safely("bursts", title, build)


def coordination(items: pd.DataFrame, *, tz: str = "UTC", max_clusters: int = 10,
                 label: Label = str) -> Figure:
    """Clusters of accounts acting in concert, as a table and a static network."""
    from workbench.analyze.coordination import coordination_clusters, coordination_edges, coordination_graph

    title = "Coordination"
    if nothing_to_draw(items):
        return Figure("coordination", title, note="No items in the period.")

    def build() -> Figure:
        edges = pd.concat([coordination_edges(items, kind, COORDINATION_WINDOW_S, min_weight=MIN_PAIRS)
                           for kind in COORDINATION_KINDS], ignore_index=True)
        kinds = ", ".join(COORDINATION_KINDS)
        note = (f"Account pairs acting on the same target within {COORDINATION_WINDOW_S} s ({kinds}; "
                "co-similar: near-identical texts, Jaccard >= 0.9). Clusters are connected groups. "
                f"Pairs need at least {MIN_PAIRS} coordinated item pairs. "
                "Coordination is an indicator for the analyst to check against the items, not proof.")
        if edges.empty:
            return Figure("coordination", title, note=note + " No coordinated pairs were found.")
        graph = coordination_graph(edges)
        names = _account_names(items, label)
        for node in graph:  # an account without an id is keyed by its handle
            platform, _, rest = str(node).partition(":")
            names.setdefault(node, f"@{label(rest)} ({platform})")
        graph = nx.relabel_nodes(graph, names)
        clusters = coordination_clusters(graph)
        rows = [[int(c.cluster), int(c.size), _accounts(c.accounts), ", ".join(c.kinds), int(c.weight),
                 int(c.items), _when(c.first_at, tz), _when(c.last_at, tz)]
                for c in clusters.head(max_clusters).itertuples(index=False)]
        svg = _network_svg(graph, "coordinated accounts (edges weighted by coordinated item pairs)",
                           min_component=2)  # a coordinated pair is a finding: drawn
        return Figure("coordination", title, svg, note,
                      ["cluster", "accounts", "members", "kinds", "item pairs", "items", "first", "last"],
                      rows)

    return safely("coordination", title, build)


def automation(items: pd.DataFrame, authors: pd.DataFrame | None, *, top: int = 10,
               min_score: float = 30, label: Label = str) -> Figure:
    """The accounts whose behaviour looks most automated, each with the reasons (a table)."""
    from workbench.analyze.behaviour import account_indicators, automation_scores

    title = "Signs of automation"
    if nothing_to_draw(items):
        return Figure("automation", title, note="No items in the period.")

    def build() -> Figure:
        scores = automation_scores(account_indicators(items, authors))
        flagged = scores[scores["automation"] >= min_score].head(top) if len(scores) else scores
        rows = [[label(row.account), row.platform, int(row.posts), int(row.automation),
                 "; ".join(row.reasons)] for row in flagged.itertuples(index=False)]
        note = (f"Accounts scoring at least {min_score:g} of 100 on the automation indicators (posting "
                "cadence and its regularity, bursts, reposts, repeated texts, posting in the quietest "
                f"hours, account age, followers), at most {top}. Indicators, not verdicts.")
        if not rows:
            note += " No account scores that high."
        return Figure("automation", title, None, note,
                      ["account", "platform", "posts", "score", "reasons"], rows)

    return safely("automation", title, build)


def interactions(items: pd.DataFrame, *, label: Label = str) -> Figure:
    """Who mentions, replies to, reposts and quotes whom."""
    from workbench.analyze.network import interaction_graph

    title = "Interaction network"
    if nothing_to_draw(items):
        return Figure("network", title, note="No items in the period.")

    def build() -> Figure:
        graph = interaction_graph(items)
        if graph.number_of_edges() == 0:
            return Figure("network", title, note="No mentions, replies, reposts or quotes between accounts.")
        from workbench.analyze.network_view import drawable, left_out_text, sole_author

        shown = nx.relabel_nodes(graph, {node: label(node) for node in graph})
        svg = _network_svg(shown, None)
        owner = sole_author(shown)
        apart = left_out_text(drawable(shown)[1])
        note = (f"{graph.number_of_nodes():,} accounts and {graph.number_of_edges():,} links (mentions, "
                "replies, reposts, quotes)" + (f"; {apart}" if apart else "") + ". "
                + _from_text_note(graph)
                + (f"Every item is by {owner} (an archive's owner, say): the picture is whom that "
                   "account interacts with, sized by how often; the owner and the accounts it "
                   "interacts with most are labelled." if owner is not None else
                   "The most central accounts are drawn, sized by PageRank and coloured by community "
                   "(Louvain); the accounts with the most interaction partners and the highest "
                   "PageRank are labelled."))
        return Figure("network", title, svg, note)

    return safely("network", title, build)


def _account_names(items: pd.DataFrame, label: Label = str) -> dict[str, str]:
    """Coordination's account keys (platform:author_id) as people read them: @handle (platform)."""
    known = items.dropna(subset=["author_id"]).drop_duplicates(["platform", "author_id"])
    return {f"{p}:{i}": f"@{label(h if isinstance(h, str) else i)} ({p})" for p, i, h in
            zip(known["platform"], known["author_id"], known["author_handle"], strict=True)}


def _from_text_note(graph) -> str:
    """How many of the graph's interactions were read from post text, not given by the platform."""
    counts = {kind: n for kind, n in (graph.graph.get("from_text") or {}).items() if n}
    if not counts:
        return ""
    listed = ", ".join(f"{n:,} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
    return (f"Read from the posts' text, not given by the platform: {listed} "
            "(\"RT @x:\", \"@x\"; see the items' caveat interactions-from-text). ")


def _network_svg(graph, title: str | None, *, min_component: int | None = None) -> str | None:
    try:
        from workbench.analyze.network_view import MIN_COMPONENT, network_chart
    except ImportError:  # the static network view is not installed: tables only
        return None
    chart = network_chart(graph, max_nodes=150, title=title, width=WIDTH, height=460,
                          min_component=MIN_COMPONENT if min_component is None else min_component)
    return to_svg(chart)


# -- helpers -------------------------------------------------------------------------------------

def _short(text: object, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _when(value: object, tz: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    stamp = pd.Timestamp(value)
    if tz and stamp.tzinfo:
        stamp = stamp.tz_convert(tz)
    return stamp.strftime("%Y-%m-%d %H:%M") + (f" {stamp.tzname()}" if stamp.tzinfo else "")


def _terms(found: object, prefix: str = "") -> str:
    if not isinstance(found, list | tuple | np.ndarray):
        return ""
    return ", ".join(f"{prefix}{t['term']} ({t['count']}, x{t['lift']:g})" for t in list(found)[:6])


def _accounts(accounts: list, limit: int = 12) -> str:
    shown = ", ".join(map(str, accounts[:limit]))
    return shown + (f" and {len(accounts) - limit} more" if len(accounts) > limit else "")
