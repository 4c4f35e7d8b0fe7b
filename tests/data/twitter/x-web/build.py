"""Build the x-web fixtures from the real X web responses in ../shared/data/x-web.

    python tests/data/twitter/x-web/build.py

A few timeline entries are taken whole from twscrape's recorded responses (MIT, see README.md)
and trimmed of what the workbench never reads (image crops, colour palettes, account settings);
every id, text, count, entity, media variant, card binding and account field it reads stays as X
sent it. Three shapes X sends but the recordings lack are built around real tweets, as X shapes
them: a ``TweetWithVisibilityResults`` wrapper, a ``TweetTombstone`` entry, and Zeeschuimer's
NDJSON items (including one promoted item and one of its older "adaptive" items).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[3].parent / "shared" / "data" / "x-web"

#: Keys X sends that no mapper reads; dropped wherever they occur.
DROP = {
    "features", "focus_rects", "sizes", "ext_media_availability", "allow_download_status",
    "media_results", "affiliates_highlighted_label", "tipjar_settings",
    "relationship_perspectives", "dm_permissions", "media_permissions",
    "notifications_settings", "profile_translation", "profile_metadata", "pinned_items",
    "grok_translated_post_with_availability", "unmention_data", "edit_control",
    "clientEventInfo", "additional_media_info", "banner", "professional", "highlights",
    "ext", "mediaColor", "quick_promote_eligibility", "community_results", "action_counts",
    "super_follow_eligible", "super_followed_by", "super_following", "has_graduated_access",
    "follow_request_sent", "website", "privacy", "richtext", "inline_media",
    "profile_image_shape", "previous_counts", "entities_description", "withheld_in_countries",
    "pinned_tweet_ids_str", "profile_banner_url", "can_dm", "can_media_tag",
    "has_custom_timelines", "is_translator", "translator_type", "want_retweets",
    "profile_interstitial_type", "default_profile", "default_profile_image",
    "fast_followers_count", "normal_followers_count", "possibly_sensitive_editable",
    "legacy_extended_profile", "is_profile_translatable", "has_hidden_subscriptions_on_profile",
    "business_account", "creator_subscriptions_count", "highlights_info", "parody_commentary_fan_label",
}
SEARCH_ENTRIES = (0, 7, 11, 18, 19)
WRAPPED_ENTRY = 10
#: A tweet the search response names only by reference: the tombstone stands in for it.
GONE_ID = "2074865573989892569"
TOMBSTONE_TEXT = "This Post was deleted by the Post author. Learn more"


def trim(value):
    """``value`` without the keys in DROP, nor image bindings of cards."""
    if isinstance(value, list):
        return [trim(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("key") and isinstance(value.get("value"), dict) and value["value"].get(
            "type") in ("IMAGE", "IMAGE_COLOR"):
        return None
    out = {}
    for key, item in value.items():
        if key in DROP:
            continue
        if key == "binding_values" and isinstance(item, list):
            out[key] = [b for b in (trim(v) for v in item) if b is not None]
        else:
            out[key] = trim(item)
    return out


def load(name: str) -> dict:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def search() -> dict:
    doc = load("raw_search.json")
    timeline = doc["data"]["search_by_raw_query"]["search_timeline"]["timeline"]
    entries = timeline["instructions"][0]["entries"]
    kept = [trim(entries[i]) for i in SEARCH_ENTRIES]
    wrapped = trim(entries[WRAPPED_ENTRY])
    results = wrapped["content"]["itemContent"]["tweet_results"]
    tweet = {k: v for k, v in results["result"].items() if k != "__typename"}
    results["result"] = {
        "__typename": "TweetWithVisibilityResults",
        "tweet": tweet,
        "limitedActionResults": {"limited_actions": [{"action": "Reply", "prompt": {
            "__typename": "CtaLimitedActionPrompt", "cta_type": "SeeConversation",
            "headline": {"text": "Who can reply?", "entities": []},
            "subtext": {"text": "People the author mentioned can reply", "entities": []}}}]},
    }
    gone = copy.deepcopy(kept[-1])
    gone["entryId"], gone["sortIndex"] = f"tweet-{GONE_ID}", "2074865573989892569"
    gone["content"]["itemContent"]["tweet_results"]["result"] = {
        "__typename": "TweetTombstone",
        "tombstone": {"__typename": "TextTombstone", "text": {
            "rtl": False, "text": TOMBSTONE_TEXT, "entities": [{
                "fromIndex": 41, "toIndex": 51, "ref": {
                    "type": "TimelineUrl", "urlType": "ExternalUrl",
                    "url": "https://help.twitter.com/rules-and-policies/notices-on-twitter"}}]}},
    }
    timeline["instructions"][0]["entries"] = [*kept, wrapped, gone, *entries[20:]]
    return doc


def poll_detail() -> dict:
    doc = load("card_poll.json")
    instruction = doc["data"]["threaded_conversation_with_injections_v2"]["instructions"][0]
    module = trim(instruction["entries"][5])
    module["content"]["items"] = [module["content"]["items"][i] for i in (0, 14)]
    instruction["entries"] = [trim(instruction["entries"][0]), module]
    return doc


def user_tweets() -> dict:
    doc = load("raw_user_tweets.json")
    instructions = doc["data"]["user"]["result"]["timeline"]["timeline"]["instructions"]
    instructions[1] = trim(instructions[1])  # the pinned tweet
    instructions[2]["entries"] = [trim(instructions[2]["entries"][i]) for i in (8, 9)]
    return {"data": {"user": {"result": {
        "__typename": "User", "timeline": doc["data"]["user"]["result"]["timeline"]}}}}


def tweet_detail() -> dict:
    doc = load("raw_tweet_details.json")
    instructions = doc["data"]["threaded_conversation_with_injections_v2"]["instructions"]
    entries = instructions[1]["entries"]
    instructions[1]["entries"] = [trim(entries[0]), trim(entries[2])]
    return doc


def zeeschuimer() -> list[dict]:
    """Items as Zeeschuimer's X module stores them (``data`` is the tweet result, with its
    ``id`` and ``promoted`` added), one of them an older "adaptive" item."""
    doc = load("raw_community_tweets.json")
    timeline = doc["data"]["communityResults"]["result"]["ranked_community_timeline"]["timeline"]
    entries = [e for i in timeline["instructions"] for e in i.get("entries", [])]
    tweets = [trim(e["content"]["itemContent"]["tweet_results"]["result"]) for e in entries
              if "itemContent" in e["content"]
              and "tweet_results" in e["content"]["itemContent"]]
    by_id = {t["rest_id"]: t for t in tweets}
    chosen = [by_id["2085443586737283337"], next(t for t in tweets if "quoted_status_result" in t),
              by_id["2085162701769048179"]]
    poll = load("card_poll.json")["data"]["threaded_conversation_with_injections_v2"]
    first = poll["instructions"][0]["entries"][0]["content"]["itemContent"]["tweet_results"]
    user = first["result"]["core"]["user_results"]["result"]
    adaptive = {"id": int(first["result"]["rest_id"]), "legacy": trim(first["result"]["legacy"]),
                "type": "adaptive",
                "user": {"id_str": user["rest_id"], **trim(user["legacy"])}}
    items = []
    for number, tweet in enumerate([*chosen, adaptive]):
        data = dict(tweet)
        if "rest_id" in data:
            data["id"] = data["legacy"]["id_str"]
            data["promoted"] = number == 2
        collected = 1783600000000 + number * 1500
        items.append({
            "nav_index": "3:41:0", "item_id": data["id"], "timestamp_collected": collected,
            "source_platform": "twitter.com",
            "source_platform_url": "https://x.com/i/communities/1493446837214187523",
            "source_url": "https://x.com/i/api/graphql/xdvy4Cx1BLzvzAMu4QtsJg/"
                          "CommunityTweetsTimeline",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "data": data, "id": number + 1, "last_updated": collected,
        })
    return items


def main() -> None:
    pretty = {"search.json": search(), "poll_detail.json": poll_detail()}
    for name, doc in pretty.items():
        (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")
    lines = [user_tweets(), tweet_detail()]
    (HERE / "timelines.jsonl").write_text(
        "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in lines), encoding="utf-8")
    (HERE / "zeeschuimer-x.ndjson").write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in zeeschuimer()),
        encoding="utf-8")


if __name__ == "__main__":
    main()
