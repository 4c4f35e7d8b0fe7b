"""Altair's JupyterChart with Vega loaded offline, its JavaScript bundle cached on disk.

``JupyterChart.enable_offline()`` asks vl-convert to bundle Vega into the widget's JavaScript,
which takes seconds on every kernel start; the bundle depends only on the versions of altair and
vl-convert, so it is kept in the workbench's cache folder and reused.
"""

from __future__ import annotations

import hashlib

from workbench.geo.diskcache import cache_dir


def enable_offline_charts() -> None:
    """Make every altair JupyterChart in this kernel load Vega with no network."""
    import altair
    import vl_convert
    from altair import JupyterChart

    if getattr(JupyterChart, "_is_offline", False):
        return
    versions = f"{altair.__version__}-{vl_convert.__version__}"
    path = cache_dir() / f"jupyterchart-{hashlib.sha256(versions.encode()).hexdigest()[:16]}.js"
    if path.is_file() and hasattr(JupyterChart, "_esm"):
        # What enable_offline() itself sets, from the bundle it made last time.
        JupyterChart._esm = path.read_text(encoding="utf-8")
        JupyterChart._is_offline = True
        return
    JupyterChart.enable_offline()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(JupyterChart._esm, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # no cache: the next kernel bundles again
