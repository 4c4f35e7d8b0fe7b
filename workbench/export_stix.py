"""A STIX 2.1 bundle for partner teams (the OASIS ``stix2`` library writes and checks it).

``entities``: each selector as its cyber-observable (``domain-name``, ``url``, ``email-addr``,
``ipv4-addr``/``ipv6-addr``, ``user-account`` for a handle, and the custom
``x-cryptocurrency-wallet`` and ``x-phone-number``, which STIX 2.1 lacks), with an
``observed-data`` saying when and how often the case saw it, whose ``object_refs`` also name the
accounts that posted it and whose ``external_references`` are the evidence: one per item (its uid
as ``external_id``, its URL, the SHA-256 of the raw payload it came from), and a URL's Wayback
snapshot when ``workbench archive`` found one.

``coordination``: each account as a ``user-account``, each coordinated pair as a
``relationship`` (``coordinated-with``, from the first to the last coordinated action, the item
pairs in ``x_workbench_item_pairs`` and the items as external references), and each cluster of
coordinated accounts as a ``grouping`` (context ``suspicious-activity``).

Everything is wrapped in a ``report`` by an ``identity`` standing for the case, and marked with the
TLP level of the case's handling. SDO ids are derived from the case and what they describe, so a
second export of the same findings updates the partner's copy rather than adding to it.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench import handoff
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.case import Case

SOURCE = "socmint-workbench"
_NAMESPACE = uuid.UUID("6f1c3f0e-6a8b-5b7e-9d51-3c0b8c1e2a47")


def _stix():
    stix2 = handoff.library("stix2", "STIX")
    _register(stix2)
    return stix2


#: The custom observables (STIX 2.1 has no wallet or phone number), made once per process.
_CUSTOM: dict[str, type] = {}


def _register(stix2) -> None:
    from stix2.properties import StringProperty

    if _CUSTOM:
        return

    @stix2.v21.CustomObservable("x-cryptocurrency-wallet", [
        ("value", StringProperty(required=True)), ("currency", StringProperty())], ["value"])
    class Wallet:
        pass

    @stix2.v21.CustomObservable("x-phone-number", [("value", StringProperty(required=True))],
                                ["value"])
    class Phone:
        pass

    _CUSTOM.update(wallet=Wallet, phone=Phone)


def stix_bundle(case: Case, what: str, *, kinds: Sequence[str] | None = None):
    """The ``stix2.v21.Bundle`` of the case's ``entities`` (selectors) or ``coordination``."""
    stix2 = _stix()
    case_id = case.plan.id
    marking = {"clear": stix2.TLP_WHITE, "amber": stix2.TLP_AMBER, "amber+strict": stix2.TLP_AMBER,
               "red": stix2.TLP_RED}[handoff.TLP[case.plan.handling]]
    common = {"object_marking_refs": [marking]}
    creator = stix2.v21.Identity(id=_id("identity", case_id), name=f"SOCMINT workbench case {case_id}",
                                 identity_class="system", **common)
    common["created_by_ref"] = creator.id
    if what == "entities":
        objects, title = _entities(stix2, case, common), "selectors"
    elif what == "coordination":
        objects, title = _coordination(stix2, case, kinds, common), "coordinated accounts"
    else:
        raise WorkbenchError(f"{what} cannot be written as STIX",
                             hint="export entities or coordination as stix")
    refs = [o.id for o in objects if o.type in ("observed-data", "grouping")] or [creator.id]
    report = stix2.v21.Report(
        id=_id("report", case_id, what), name=f"{case.plan.title}: {title}", report_types=["observed-data"],
        published=datetime.now(UTC), object_refs=refs,
        description=(f"Exported by the SOCMINT workbench from case {case_id}. Evidence: each "
                     "external reference names an item (external_id: its uid), its URL and the "
                     "SHA-256 of the raw payload it came from."), **common)
    unique = {o.id: o for o in [marking, creator, *objects, report]}  # an account named twice
    return stix2.v21.Bundle(objects=list(unique.values()), allow_custom=True)


def write_stix(case: Case, what: str, path: Path, *, kinds: Sequence[str] | None = None) -> int:
    """Write the bundle as JSON; returns the number of selectors or coordinated pairs in it."""
    bundle = stix_bundle(case, what, kinds=kinds)
    path.parent.mkdir(parents=True, exist_ok=True)
    # stix2's own pretty printing sorts properties at a cost that grows with the square of the
    # bundle (minutes for a few thousand objects): indent its plain output instead.
    path.write_text(json.dumps(json.loads(bundle.serialize()), indent=2, ensure_ascii=False),
                    encoding="utf-8")
    kind = "observed-data" if what == "entities" else "relationship"
    return sum(1 for o in bundle.objects if o.type == kind)


def _entities(stix2, case: Case, common: dict) -> list:
    found = handoff.selectors(case)
    proof = handoff.evidence(case, [u for uids in found["uids"] for u in uids])
    facts = proof.to_dict("index")
    accounts = _accounts(stix2, case, proof["account"])
    objects: list = list(accounts.values())
    for row in found.itertuples(index=False):
        observable = _observable(stix2, row)
        if observable is None:
            continue
        posters = [accounts[a].id for a in dict.fromkeys(facts[u]["account"] for u in row.uids
                                                          if u in facts) if a in accounts]
        references = _references(facts, row.uids)
        if isinstance(row.wayback, str):
            references.append({"source_name": "wayback-machine", "url": row.wayback,
                               "description": "the snapshot closest to the first item citing it"})
        first, last = _time(row.first_at), _time(row.last_at)
        objects += [observable, stix2.v21.ObservedData(
            id=_id("observed-data", case.plan.id, row.label, row.platform or "", row.value),
            first_observed=first, last_observed=max(first, last), number_observed=len(row.uids),
            object_refs=[observable.id, *posters], external_references=references,
            x_workbench_label=row.label, allow_custom=True, **common)]
    return objects


def _observable(stix2, row):
    value, label = row.value, row.label
    if label == "DOMAIN":
        return stix2.v21.DomainName(value=value)
    if label == "URL":
        return stix2.v21.URL(value=value)
    if label == "EMAIL":
        return stix2.v21.EmailAddress(value=value)
    if label == "IP":
        try:
            version = ipaddress.ip_address(value).version
        except ValueError:
            return None
        return (stix2.v21.IPv4Address if version == 4 else stix2.v21.IPv6Address)(value=value)
    if label == "HANDLE":
        return stix2.v21.UserAccount(account_login=value.lstrip("@"), account_type=row.platform)
    if label in ("BTC", "ETH"):
        return _CUSTOM["wallet"](value=value, currency=label)
    if label == "PHONE":
        return _CUSTOM["phone"](value=value)
    return None


def _accounts(stix2, case: Case, names: pd.Series) -> dict:
    """A ``user-account`` per account name (``platform:author_id``)."""
    out = {}
    for name, row in handoff.accounts(case, names.dropna()).to_dict("index").items():
        fields = {"user_id": row["id"], "account_type": row["platform"],
                  "account_login": row["handle"], "display_name": row["name"]}
        created = row["created_at"]
        if pd.notna(created):
            fields["account_created"] = created.to_pydatetime()
        out[name] = stix2.v21.UserAccount(**{k: v for k, v in fields.items()
                                             if isinstance(v, str | datetime) and v != ""})
    return out


def _coordination(stix2, case: Case, kinds: Sequence[str] | None, common: dict) -> list:
    from workbench.analyze.coordination import coordination_clusters

    edges = handoff.coordination(case, kinds)
    pairs = [[str(u) for u in pair] for pairs in edges["item_pairs"] for pair in pairs]
    facts = handoff.evidence(case, [u for pair in pairs for u in pair]).to_dict("index")
    accounts = _accounts(stix2, case, pd.concat([edges["account_a"], edges["account_b"]]))
    objects: list = list(accounts.values())
    cluster_of, members = {}, {}
    if not edges.empty:
        for row in coordination_clusters(edges).itertuples(index=False):
            members[row.cluster] = row
            cluster_of.update(dict.fromkeys(row.accounts, row.cluster))
    grouped: dict[int, list[str]] = {}
    for row in edges.itertuples(index=False):
        evidence_pairs = [[str(u) for u in pair] for pair in row.item_pairs]
        first, last = _time(row.first_at), _time(row.last_at)
        extra = {"stop_time": last} if last > first else {}
        relation = stix2.v21.Relationship(
            id=_id("relationship", case.plan.id, row.kind, row.account_a, row.account_b),
            relationship_type="coordinated-with", source_ref=accounts[row.account_a].id,
            target_ref=accounts[row.account_b].id, start_time=first, **extra,
            description=(f"{row.kind}: {row.weight} pairs of items on the same target within "
                         f"{handoff.COORDINATION_WINDOW} s"),
            external_references=_references(facts, [u for pair in evidence_pairs for u in pair]),
            x_workbench_kind=row.kind, x_workbench_weight=int(row.weight),
            x_workbench_item_pairs=evidence_pairs, allow_custom=True, **common)
        objects.append(relation)
        grouped.setdefault(cluster_of[row.account_a], []).append(relation.id)
    for cluster, relations in grouped.items():
        info = members[cluster]
        objects.append(stix2.v21.Grouping(
            id=_id("grouping", case.plan.id, *info.accounts), context="suspicious-activity",
            name=f"Coordinated accounts: {info.size} accounts, {', '.join(info.kinds)}",
            description=(f"{info.edges} coordinated pairs, {info.weight} pairs of items, "
                         f"{info.items} items, from {_time(info.first_at).isoformat()} to "
                         f"{_time(info.last_at).isoformat()}"),
            object_refs=[accounts[a].id for a in info.accounts] + relations, **common))
    return objects


def _references(facts: dict[str, dict], uids: list[str]) -> list[dict]:
    """One external reference per evidence item (each once): uid, URL, raw payload hash."""
    out = []
    for uid in dict.fromkeys(uids):
        fact = facts.get(uid)
        if fact is None:
            continue
        ref = {"source_name": SOURCE, "external_id": uid}
        if isinstance(fact["url"], str):
            ref["url"] = fact["url"]
        if isinstance(fact["raw_sha256"], str):
            ref["hashes"] = {"SHA-256": fact["raw_sha256"]}
        out.append(ref)
    return out


def _time(value) -> datetime:
    when = pd.Timestamp(value) if pd.notna(value) else pd.Timestamp.now(tz="UTC")
    return when.tz_convert("UTC").to_pydatetime() if when.tzinfo else when.tz_localize("UTC").to_pydatetime()


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, chr(31).join(map(str, parts)))}"
