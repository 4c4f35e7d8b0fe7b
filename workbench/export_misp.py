"""A MISP event for partner teams, written with PyMISP's own classes (no MISP server involved).

``entities``: each selector as an attribute (``domain``, ``url``, ``email``, ``ip-dst``,
``phone-number``) or object (``coin-address`` for BTC and ETH wallets, ``user-account`` for a
handle), with ``first_seen``/``last_seen`` and ``to_ids`` off (they are observations, not
detection rules). ``coordination``: a ``user-account`` per account and an ``annotation`` per
coordinated pair saying what they did alike, how often and when.

The evidence is the items themselves, each a ``microblog`` object (its URL, time and poster; its
uid in the comment, no post text) that ``mentions`` the selector or, for coordination, is
``authored-by`` its account and referenced by the pair's annotation; each item is
``derived-from`` a ``file`` object standing for the raw payload it came from (its SHA-256 and
name). The event is tagged with the TLP level of the case's handling and shared with the
creator's organisation only (``distribution`` 0) until the partner decides otherwise.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench import handoff
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.case import Case

#: Selector label -> the MISP attribute type it is (the others are objects).
ATTRIBUTE_TYPES = {"DOMAIN": "domain", "URL": "url", "EMAIL": "email", "IP": "ip-dst",
                   "PHONE": "phone-number"}
_NAMESPACE = uuid.UUID("0b7e5d6c-2f7a-5c1e-8d4b-9a1f3e6c2d58")


def misp_event(case: Case, what: str, *, kinds: Sequence[str] | None = None):
    """The ``pymisp.MISPEvent`` of the case's ``entities`` (selectors) or ``coordination``."""
    return _build(case, what, kinds)[0]


def write_misp(case: Case, what: str, path: Path, *, kinds: Sequence[str] | None = None) -> int:
    """Write the event as MISP JSON (``{"Event": ...}``, as MISP exports and imports it);
    returns the number of selectors or coordinated pairs in it."""
    event, findings = _build(case, what, kinds)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"Event": json.loads(event.to_json())}, indent=2, ensure_ascii=False)
    path.write_text(body, encoding="utf-8")
    return findings


def _build(case: Case, what: str, kinds: Sequence[str] | None):
    pymisp = handoff.library("pymisp", "MISP")
    if what not in ("entities", "coordination"):
        raise WorkbenchError(f"{what} cannot be written as MISP",
                             hint="export entities or coordination as misp")
    event = pymisp.MISPEvent()
    event.uuid = _uuid(case.plan.id, what)
    event.info = f"{case.plan.title}: {'selectors' if what == 'entities' else 'coordinated accounts'}"
    event.date = date.today()
    event.distribution, event.threat_level_id, event.analysis = 0, 4, 2
    event.add_tag(f"tlp:{handoff.TLP[case.plan.handling]}")
    writer = _Writer(pymisp, event, case.plan.id)
    if what == "entities":
        writer.entities(case)
    else:
        writer.coordination(case, kinds)
    return event, writer.findings


class _Writer:
    """Adds objects to one event, each item's evidence and each raw payload once."""

    def __init__(self, pymisp, event, case_id: str):
        self.pymisp, self.event, self.case_id = pymisp, event, case_id
        self.posts: dict[str, object] = {}
        self.payloads: dict[str, object] = {}
        self.findings = 0  # selectors or coordinated pairs written

    def entities(self, case: Case) -> None:
        found = handoff.selectors(case)
        facts = handoff.evidence(case, [u for uids in found["uids"] for u in uids]).to_dict("index")
        for row in found.itertuples(index=False):
            seen = {"first_seen": _time(row.first_at), "last_seen": _time(row.last_at)}
            comment = f"named in {len(row.uids)} items"
            if isinstance(row.wayback, str):
                comment += f"; Wayback Machine snapshot: {row.wayback}"
            if row.label in ATTRIBUTE_TYPES:
                target = self.event.add_attribute(ATTRIBUTE_TYPES[row.label], row.value,
                                                  to_ids=False, comment=comment, **seen)
                target.uuid = _uuid(self.case_id, row.label, row.value)
            elif row.label in ("BTC", "ETH", "HANDLE"):
                target = self._selector_object(row, comment)
            else:
                continue
            self.findings += 1
            for uid in row.uids:
                if uid in facts:
                    self._post(facts[uid]).add_reference(target.uuid, "mentions")

    def _selector_object(self, row, comment: str):
        if row.label == "HANDLE":
            obj = self.pymisp.MISPObject("user-account", standalone=False)
            obj.add_attribute("username", row.value.lstrip("@"))
            obj.add_attribute("account-type", row.platform)
        else:
            obj = self.pymisp.MISPObject("coin-address", standalone=False)
            obj.add_attribute("address" if row.label == "BTC" else "address-crypto", row.value,
                              to_ids=False)
            obj.add_attribute("symbol", row.label)
            if pd.notna(row.first_at):
                obj.add_attribute("first-seen", _time(row.first_at))
                obj.add_attribute("last-seen", _time(row.last_at))
        obj.uuid = _uuid(self.case_id, row.label, row.platform or "", row.value)
        obj.comment = comment
        return self.event.add_object(obj)

    def coordination(self, case: Case, kinds: Sequence[str] | None) -> None:
        edges = handoff.coordination(case, kinds)
        uids = [str(u) for pairs in edges["item_pairs"] for pair in pairs for u in pair]
        facts = handoff.evidence(case, uids).to_dict("index")
        people = handoff.accounts(case, pd.concat([edges["account_a"], edges["account_b"]]))
        accounts = {name: self._account(row) for name, row in people.to_dict("index").items()}
        for row in edges.itertuples(index=False):
            pairs = [[str(u) for u in pair] for pair in row.item_pairs]
            note = self.pymisp.MISPObject("annotation", standalone=False)
            note.add_attribute("text", (
                f"{row.account_a} and {row.account_b}: {row.kind}, {row.weight} pairs of items on "
                f"the same target within {handoff.COORDINATION_WINDOW} s, from "
                f"{_time(row.first_at).isoformat()} to {_time(row.last_at).isoformat()}. Item "
                f"pairs: " + "; ".join(" ~ ".join(pair) for pair in pairs)))
            note.add_attribute("type", "coordination finding")
            note.uuid = _uuid(self.case_id, row.kind, row.account_a, row.account_b)
            for name in (row.account_a, row.account_b):
                note.add_reference(accounts[name].uuid, "annotates")
            for uid in dict.fromkeys(u for pair in pairs for u in pair):
                if uid in facts:
                    post = self._post(facts[uid])
                    note.add_reference(post.uuid, "derived-from")
                    owner = accounts.get(facts[uid]["account"])
                    if owner is not None and not any(r.referenced_uuid == owner.uuid
                                                     for r in post.references):
                        post.add_reference(owner.uuid, "authored-by")
            self.event.add_object(note)
            self.findings += 1

    def _account(self, row: dict):
        obj = self.pymisp.MISPObject("user-account", standalone=False)
        for relation, value in (("username", row["handle"]), ("user-id", row["id"]),
                                ("account-type", row["platform"]), ("display-name", row["name"]),
                                ("link", row["url"])):
            if isinstance(value, str) and value:
                obj.add_attribute(relation, value)
        if pd.notna(row["created_at"]):
            obj.add_attribute("created", _time(row["created_at"]))
        obj.uuid = _uuid(self.case_id, "account", row["account"])
        return self.event.add_object(obj)

    def _post(self, fact: dict):
        """The item as a ``microblog`` object, added once."""
        uid = fact["uid"]
        if uid in self.posts:
            return self.posts[uid]
        obj = self.pymisp.MISPObject("microblog", standalone=False)
        if isinstance(fact["url"], str):
            obj.add_attribute("link", fact["url"])
        else:  # the template needs one of post, link, url, ...: the text is not handed off
            obj.add_attribute("post", f"(text not handed off: workbench item {uid})")
        for relation, value in (("username", fact["author_handle"]), ("type", fact["platform"])):
            if isinstance(value, str) and value:
                obj.add_attribute(relation, value)
        if pd.notna(fact["created_at"]):
            obj.add_attribute("creation-date", _time(fact["created_at"]))
        obj.uuid = _uuid(self.case_id, "item", uid)
        obj.comment = f"workbench item {uid}"
        sha = fact["raw_sha256"]
        if isinstance(sha, str):
            obj.add_reference(self._raw(sha).uuid, "derived-from", comment="the raw payload it came from")
        self.posts[uid] = self.event.add_object(obj)
        return self.posts[uid]

    def _raw(self, sha: str):
        if sha not in self.payloads:
            obj = self.pymisp.MISPObject("file", standalone=False)
            obj.add_attribute("sha256", sha, to_ids=False)
            obj.add_attribute("filename", f"raw/{sha[:2]}/{sha}")  # its place in the case folder
            obj.uuid = _uuid(self.case_id, "raw", sha)
            obj.comment = "a raw payload of the case, as received (raw/ in the case folder)"
            self.payloads[sha] = self.event.add_object(obj)
        return self.payloads[sha]


def _time(value) -> datetime:
    if pd.isna(value):
        return datetime.now(UTC)
    when = pd.Timestamp(value)
    return (when.tz_convert("UTC") if when.tzinfo else when.tz_localize("UTC")).to_pydatetime()


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, chr(31).join(map(str, parts))))
