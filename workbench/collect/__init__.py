"""Collection: one module per source, each a format registered here by name.

Built-in formats register the same way a plugin would, with :func:`register`. Nothing is imported
until a format is asked for.
"""

from __future__ import annotations

import importlib

from workbench.collect.base import FileFormat, Sample
from workbench.errors import ImportFormatError, UnknownFormatError

_FORMATS: dict[str, FileFormat] = {}

# Sniffed in this order: specific formats first, generic ones last.
BUILTIN_MODULES = (
    "workbench.collect.twitter_archive",
    "workbench.collect.x_web",
    "workbench.collect.twitter_v1",
    "workbench.collect.twitter_v2",
    "workbench.collect.telegram",
    "workbench.collect.telegram_tl",
    "workbench.collect.mastodon",
    "workbench.collect.activitypub",
    "workbench.collect.reddit",
    "workbench.collect.bluesky",
    "workbench.collect.feeds",
    "workbench.collect.youtube",
    "workbench.collect.generic",
)
_loaded = False


def register(cls: type[FileFormat]) -> type[FileFormat]:
    """Class decorator: make a file format available by its ``name``."""
    _FORMATS[cls.name] = cls()
    return cls


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _loaded = True


def formats() -> dict[str, FileFormat]:
    """Every registered format by name, in sniffing order: built-ins as listed, then plugins."""
    _load_builtins()
    rank = {module: n for n, module in enumerate(BUILTIN_MODULES)}
    ordered = sorted(_FORMATS.items(),
                     key=lambda item: rank.get(type(item[1]).__module__, len(rank)))
    return dict(ordered)


def get_format(name: str) -> FileFormat:
    """The format called ``name``; the error lists the known ones."""
    known = formats()
    if name not in known:
        raise UnknownFormatError(
            f"unknown format {name!r}", hint=f"known formats: auto, {', '.join(known)}"
        )
    return known[name]


def sniff(sample: Sample) -> FileFormat:
    """The first format that recognises the sample; the error names every format tried."""
    known = formats()
    for fmt in known.values():
        try:
            if fmt.sniff(sample):
                return fmt
        except RecursionError:  # a first record nested thousands deep is no platform's export
            continue
    raise ImportFormatError(
        f"{sample.name}: not a format the workbench knows (tried {', '.join(known)})",
        path=sample.name,
        hint="name one with --format, or map the columns of a generic file with --map",
    )
