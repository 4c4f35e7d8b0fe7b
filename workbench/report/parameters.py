"""The parameters of a run: what each template declares, the caller's values converted to the
declared types, and secrets refused (they come from the environment, never from parameters)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import UsageError, WorkbenchError

#: Set by the run for every template, never by the caller.
RUN_PARAMETERS = ("case_path", "run_dir")

SECRET_NAME = re.compile(
    r"token|passw|secret|api_?key|apikey|credential|private_?key|bearer|session_?id|cookie|auth",
    re.IGNORECASE)
SECRET_VALUE = re.compile(
    r"^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[\w-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+|Bearer\s+\S{8,}"
    r"|AAAAAAAAAAAAAAAAAAAAA[\w%]{20,})$")



class RunUsageError(UsageError):
    """The run was asked for wrongly: an unknown phase or parameter, a bad value, a secret."""



def declared_parameters(template: Path) -> dict[str, dict]:
    """The parameters a template's ``parameters`` cell declares, as papermill reads them, each
    with a ``type`` (from the annotation, a ``# type: meaning`` comment, or the default)."""
    import papermill

    found = papermill.inspect_notebook(str(template))
    for spec in found.values():
        spec["type"] = _declared_type(spec)
    return found


def _declared_type(spec: dict) -> str:
    inferred = spec.get("inferred_type_name") or "None"
    if inferred != "None":
        return inferred
    head = (spec.get("help") or "").split(":", 1)
    if len(head) == 2 and re.fullmatch(r"[\w\[\], |.]+", head[0].strip()):
        return head[0].strip()
    try:
        default = ast.literal_eval(spec.get("default") or "None")
    except (ValueError, SyntaxError):
        return "any"
    return "any" if default is None else type(default).__name__


def convert(name: str, value: Any, type_name: str) -> Any:
    """A parameter's value as the declared type; text (from the command line) is parsed.

    Lists and dicts are read as YAML or JSON (``[a, b]``, ``{k: v}``); a single value given for a
    list is a list of one. ``none``/``null`` (or nothing) is None where the type allows it.
    """
    if isinstance(value, Path):
        return str(value)
    if not isinstance(value, str):
        return value
    declared = type_name.strip()
    optional = re.fullmatch(r"Optional\[(.*)\]", declared)
    parts = [p.strip() for p in (optional.group(1) if optional else declared).split("|")]
    nullable = bool(optional) or "None" in parts
    base = next((p for p in parts if p and p != "None"), "any").split("[", 1)[0].lower()
    text = value.strip()
    if nullable and text.lower() in ("", "none", "null"):
        return None
    try:
        if base == "str":
            return value
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
        if base == "bool":
            return _boolean(text)
        if base in ("list", "tuple", "set", "dict"):
            parsed = yaml.safe_load(text) if text else []
            if base == "dict":
                if not isinstance(parsed, dict):
                    raise ValueError("not a mapping")
                return parsed
            return parsed if isinstance(parsed, list) else [value]
        parsed = yaml.safe_load(text)
        return parsed if isinstance(parsed, int | float | bool | list | dict) else value
    except (ValueError, yaml.YAMLError) as exc:
        raise RunUsageError(f"parameter {name}: {value!r} is not of type {type_name}",
                            hint=_type_hint(base)) from exc


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise ValueError("not a boolean")


def _type_hint(base: str) -> str:
    return {
        "int": "give a whole number, e.g. -p top 20",
        "float": "give a number, e.g. -p min_weight 0.5",
        "bool": "give true or false",
        "list": "give a YAML or JSON list, e.g. -p keywords '[fire, smoke]'",
        "dict": "give a YAML or JSON mapping, e.g. -p column_map '{text: body}'",
    }.get(base, "check the parameter's type in the template's first cell")


def refuse_secrets(parameters: dict[str, Any]) -> None:
    """Refuse parameters that are, or look like, secrets: those come from the environment."""
    for name, value in parameters.items():
        if SECRET_NAME.search(name):
            raise RunUsageError(
                f"parameter {name}: secrets are never parameters (they would be written into the "
                "executed notebook and the audit log)",
                hint="set it in the environment (or the keyring) where the collector reads it")
        for text in _strings(value):
            if SECRET_VALUE.match(text.strip()):
                raise RunUsageError(
                    f"parameter {name}: its value looks like a secret (an API token or key)",
                    hint="secrets come from the environment, never from parameters")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)


def plan_parameters(templates: dict[str, Path], parameters: dict[str, Any]
                    ) -> tuple[dict[str, dict[str, dict]], dict[str, Any]]:
    """Each template's declared parameters, and the caller's parameters converted; a parameter
    no selected template declares is a usage error naming the templates' parameters."""
    declared = {phase: declared_parameters(path) for phase, path in templates.items()}
    reserved = [n for n in parameters if n in RUN_PARAMETERS]
    if reserved:
        raise RunUsageError(f"parameter {reserved[0]} is set by the run itself",
                            hint="give the case folder as the run's argument")
    unknown = [n for n in parameters if not any(n in d for d in declared.values())]
    if unknown:
        listing = "; ".join(
            f"{templates[p].name}: {', '.join(n for n in d if n not in RUN_PARAMETERS) or '(none)'}"
            for p, d in declared.items())
        raise RunUsageError(f"no selected template takes {', '.join(map(repr, unknown))}",
                            hint=f"the templates' parameters are {listing}")
    converted = {}
    for name, value in parameters.items():
        spec = next(d[name] for d in declared.values() if name in d)
        converted[name] = check_value(name, convert(name, value, spec["type"]))
    return declared, converted


# -- values the templates can only use in one form: checked before any cell runs ---------------

def _time_bin(value: Any) -> str:
    from workbench.analyze.bins import check_freq

    return check_freq(value)


def _duration(value: Any) -> str:
    import pandas as pd

    pd.Timedelta(str(value))  # raises ValueError for anything that is not a duration
    return value


def _zone(value: Any) -> str:
    from zoneinfo import ZoneInfo

    if not str(value).strip():
        raise ValueError("empty")
    ZoneInfo(str(value))
    return value


def _day(value: Any) -> Any:
    from workbench.timeutil import parse_day

    if value not in (None, ""):
        parse_day(value, field="time")
    return value


def _coordination_kinds(value: Any) -> Any:
    from workbench.analyze.coordination import KINDS

    unknown = [k for k in value if k not in KINDS] if isinstance(value, list) else [value]
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(map(str, unknown))}")
    return value


def _chart_nodes(value: Any) -> Any:
    from workbench.analyze.timeline import MAX_CHART_ROWS

    if not 1 <= int(value) <= MAX_CHART_ROWS:
        raise ValueError(f"must be from 1 to {MAX_CHART_ROWS:,}")
    return value


def _at_least(low: float, high: float | None = None):
    def check(value: Any) -> Any:
        if not (low <= value and (high is None or value <= high)):
            most = f" and at most {high:g}" if high is not None else ""
            raise ValueError(f"must be at least {low:g}{most}")
        return value

    return check


#: Per parameter name (in any template): how its value is checked, and an example of a good one.
VALUE_CHECKS = {
    "resolution": (_time_bin, "auto, or a bin such as 1h, 1D, 1W or 1M (a month)", "1D"),
    "trend_resolution": (_time_bin, "auto, or a bin such as 6h, 1D, 1W or 1M (a month)", "1W"),
    "emerging_recent": (_duration, "a duration such as 1D, 7D or 12h", "7D"),
    "tz": (_zone, "a time zone name such as UTC or Europe/Amsterdam", "Europe/Amsterdam"),
    "since": (_day, "a day or time, YYYY-MM-DD or ISO 8601", "2024-03-07"),
    "until": (_day, "a day or time, YYYY-MM-DD or ISO 8601", "2024-03-08"),
    "coordination_kinds": (_coordination_kinds, "a list of co_similar, co_repost, co_link, co_hashtag, "
                           "co_reply, co_text", "'[co_repost, co_link]'"),
    "network_max_nodes": (_chart_nodes, "a number of nodes a chart can draw", "150"),
    "widget_max_nodes": (_at_least(1), "a number of nodes", "500"),
    "n_topics": (_at_least(1), "a number of topics", "8"),
    "top_n": (_at_least(1), "a number of rows", "20"),
    "forecast_horizon": (_at_least(1), "a number of bins", "24"),
    "burst_baseline": (_at_least(2), "a number of bins", "24"),
    "coordination_window": (_at_least(0), "a number of seconds", "600"),
    "min_weight": (_at_least(1), "a number of coordinated acts", "3"),
    "similarity": (_at_least(0, 1), "a Jaccard similarity from 0 to 1", "0.8"),
}


def check_value(name: str, value: Any) -> Any:
    """``value`` as the template can use it (a time bin in its canonical form), or a
    :class:`RunUsageError` naming the parameter and a value that works."""
    if name not in VALUE_CHECKS:
        return value
    check, wanted, example = VALUE_CHECKS[name]
    try:
        return check(value)
    except (ValueError, TypeError, KeyError, WorkbenchError) as exc:
        reason = exc.message if isinstance(exc, WorkbenchError) else str(exc)
        raise RunUsageError(f"parameter {name}: {value!r} is not {wanted} ({reason})",
                            hint=f"-p {name} {example}") from None
