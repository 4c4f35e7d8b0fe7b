"""Text from posts made safe to show: escaped, with bidi controls closed and isolated."""

from __future__ import annotations

from workbench.display import FSI, PDI, close_bidi, html_isolated, isolate

RLO, PDF, LRI, RLE = "\u202e", "\u202c", "\u2066", "\u202b"


def test_plain_text_is_left_alone():
    assert isolate("plain text") == "plain text" and close_bidi("plain") == "plain"
    assert isolate(42) == "42"


def test_closed_overrides_are_kept_and_the_whole_is_isolated():
    text = f"abc {RLO}evil.exe{PDF} tail"
    assert isolate(text) == FSI + text + PDI


def test_unterminated_embeddings_and_isolates_are_closed_innermost_first():
    assert close_bidi(f"a {RLO}b") == f"a {RLO}b{PDF}"
    assert close_bidi(f"{LRI}x{RLE}y") == f"{LRI}x{RLE}y{PDF}{PDI}"
    # A PDI closes its isolate and the embeddings opened inside it; a stray PDF or PDI does nothing.
    assert close_bidi(f"{RLO}a{LRI}b{RLE}c{PDI}d") == f"{RLO}a{LRI}b{RLE}c{PDI}d{PDF}"
    assert close_bidi(f"{PDF}{PDI}x") == f"{PDF}{PDI}x"


def test_html_is_escaped_and_wrapped_in_bdi():
    assert html_isolated(f"<b>{RLO}x") == f"<bdi>&lt;b&gt;{RLO}x{PDF}</bdi>"
