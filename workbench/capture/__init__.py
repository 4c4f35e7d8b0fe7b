"""Captures of the pages posts link to: headless Chromium, a WACZ of everything it loaded, a
full-page screenshot, the rendered HTML and its text, each hashed, audited and linked to the
items citing the page. See :func:`workbench.capture.run.capture`."""

from workbench.capture.run import CaptureResult, capture, captures

__all__ = ["CaptureResult", "capture", "captures"]
