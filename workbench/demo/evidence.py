"""The demo analyst's work: a handful of telling items tagged as evidence against the demo plan's
requirements, with notes, so the demo report has evidence to show.

Items are found by what they say and when (not by hard-coded ids), so this follows the generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.demo import story

if TYPE_CHECKING:
    from workbench.case import Case

NOTES = (
    # (requirement, at, text)
    (1, None, "The first posts, within a minute of 23:41 UTC on 7 March, report an explosion in the "
              "Botlek and the evacuation of Rozenburg; the NL-Alert follows minutes later."),
    (None, story.EVENT, "Explosion at the Botlek plant (first posts)"),
    (2, None, "Twelve accounts created within days of each other post near-identical #BOCcoverup "
              "copypasta within minutes of each other, in six waves: see the coordination figure."),
    (None, story.WAVES[0], "First #BOCcoverup wave"),
    (3, None, "Photos with EXIF positions place their authors around Spijkenisse, Schiedam and "
              "Rotterdam; most other places are named in text and are guesses."),
)


def tag_demo_evidence(case: Case) -> int:
    """Tag the demo's telling items as evidence (requirements 1 to 3) and add the analyst's notes;
    returns how many items were tagged. Running it again re-tags the same items and adds no note
    twice."""
    items = case.items()
    after = items[items["created_at"] >= pd.Timestamp(story.EVENT)]
    text = after["text"].fillna("")
    tagged = 0
    chosen = [
        (1, _first(after[text.str.contains("Explosion reported", regex=False)]),
         "one of the first reports of the explosion"),
        (1, _first(after[text.str.contains("evacuated", regex=False)]), "evacuation of Rozenburg reported"),
        (1, _first(after[text.str.contains("NL-Alert", regex=False)]), "the NL-Alert, as people relayed it"),
    ]
    wave = after[(after["created_at"] >= pd.Timestamp(story.WAVES[0])) &
                 (after["created_at"] < pd.Timestamp(story.WAVES[0]) + pd.Timedelta(minutes=15)) &
                 after["hashtags"].map(lambda tags: "BOCcoverup" in list(tags))]
    for uid in wave.drop_duplicates("author_id")["uid"].head(3):
        chosen.append((2, uid, "first #BOCcoverup wave: same text, fresh account, within minutes"))
    rumours = after[text.str.contains("share this with everyone", regex=False)]
    if "risk" in rumours.columns:
        rumours = rumours.sort_values(["risk", "created_at"], ascending=[False, True])
    chosen.append((2, _first(rumours), "tap-water rumour, written to be forwarded"))
    places = case.places(best=True)
    for method, count in (("exif", 2), ("geotag", 1)):
        uids = set(places.loc[places["method"] == method, "uid"])
        found = items[items["uid"].isin(uids)].head(count)["uid"]
        for uid in found:
            chosen.append((3, uid, f"located by {method}"))
    for requirement, uid, why in chosen:
        if uid is not None:
            tagged += case.tag(uid, "evidence", requirement=requirement, note=why)
    existing = set(case.notes()["text"])
    for requirement, at, note in NOTES:
        if note not in existing:
            case.add_note(note, requirement=requirement, at=at)
    return tagged


def _first(frame: pd.DataFrame) -> str | None:
    return None if frame.empty else str(frame["uid"].iloc[0])
