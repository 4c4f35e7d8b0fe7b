"""The parameters of a run: what each template declares, the caller's values converted to the
declared types, and secrets refused (they come from the environment, never from parameters)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import WorkbenchError

#: Set by the run for every template, never by the caller.
RUN_PARAMETERS = ("case_path", "run_dir")

SECRET_NAME = re.compile(
    r"token|passw|secret|api_?key|apikey|credential|private_?key|bearer|session_?id|cookie|auth",
    re.IGNORECASE)
SECRET_VALUE = re.compile(
    r"^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[\w-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+|Bearer\s+\S{8,}"
    r"|AAAAAAAAAAAAAAAAAAAAA[\w%]{20,})$")



class RunUsageError(WorkbenchError):
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
        converted[name] = convert(name, value, spec["type"])
    return declared, converted
