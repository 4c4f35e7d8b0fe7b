"""Platform times parsed to UTC: every form an export writes, none of them silently wrong."""

from datetime import UTC, datetime

import pytest

from workbench.errors import RecordError
from workbench.timeutil import parse_time


@pytest.mark.parametrize(("text", "expected", "naive"), [
    ("2024-03-15T23:59:00Z", datetime(2024, 3, 15, 23, 59, tzinfo=UTC), False),
    ("Fri Mar 15 23:59:00 +0000 2024", datetime(2024, 3, 15, 23, 59, tzinfo=UTC), False),
    ("Fri, 15 Mar 2024 11:59:00 +0100", datetime(2024, 3, 15, 10, 59, tzinfo=UTC), False),
    ("Mar 15 2024 11:59 PM", datetime(2024, 3, 15, 23, 59, tzinfo=UTC), True),
    ("15 Mar 2024 11:59 pm", datetime(2024, 3, 15, 23, 59, tzinfo=UTC), True),
    ("Mar 15 2024 12:30 AM", datetime(2024, 3, 15, 0, 30, tzinfo=UTC), True),
    ("Mar 15 2024 12:30 PM", datetime(2024, 3, 15, 12, 30, tzinfo=UTC), True),
    ("Mar 15 2024 1:05 p.m.", datetime(2024, 3, 15, 13, 5, tzinfo=UTC), True),
    ("1710547140", datetime(2024, 3, 15, 23, 59, tzinfo=UTC), False),
])
def test_times_in_the_forms_exports_write(text, expected, naive):
    assert parse_time(text) == (expected, naive)


@pytest.mark.parametrize("text", ["Mar 15 2024 13:05 PM", "9999-12-31T23:59:59-14:00",
                                  "yesterday", "1e400"])
def test_a_time_that_cannot_be_right_is_an_error(text):
    with pytest.raises(RecordError):
        parse_time(text, field="when")
