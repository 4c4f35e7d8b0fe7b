"""Platform times parsed to UTC: every form an export writes, none of them silently wrong."""

from datetime import UTC, datetime

import pytest

from workbench.errors import RecordError
from workbench.timeutil import DAY_FIRST, MONTH_FIRST, TimeReading, decide_order, parse_time


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


@pytest.mark.parametrize(("text", "expected"), [
    ("15/03/2024 14:22", datetime(2024, 3, 15, 14, 22, tzinfo=UTC)),      # shows day-first
    ("15.03.2024 14:22", datetime(2024, 3, 15, 14, 22, tzinfo=UTC)),
    ("03/15/2024 2:22 PM", datetime(2024, 3, 15, 14, 22, tzinfo=UTC)),    # shows month-first
    ("15/03/24 14:22:05", datetime(2024, 3, 15, 14, 22, 5, tzinfo=UTC)),
    ("15.03.2024, 14:22", datetime(2024, 3, 15, 14, 22, tzinfo=UTC)),
    ("March 15, 2024 at 11:59 PM", datetime(2024, 3, 15, 23, 59, tzinfo=UTC)),
    ("2024/03/15 14:22", datetime(2024, 3, 15, 14, 22, tzinfo=UTC)),
])
def test_numeric_and_written_out_dates_without_a_zone(text, expected):
    assert parse_time(text) == (expected, True)


def test_an_ambiguous_numeric_date_outside_a_decided_column_is_refused_not_guessed():
    # A platform's own field or a command-line value: nothing says which order it is in.
    for text in ("03/04/2024", "03.04.2024 10:00", "03-04-2024", "09/03/2024 14:22"):
        with pytest.raises(RecordError, match="could be day-first or month-first"):
            parse_time(text)
    assert parse_time("03/03/2024")[0] == datetime(2024, 3, 3, tzinfo=UTC)  # either way


def test_numeric_dates_with_a_zone_are_converted_to_utc():
    assert parse_time("15.03.2024 14:22 +01:00") == (datetime(2024, 3, 15, 13, 22, tzinfo=UTC),
                                                     False)
    assert parse_time("15/03/2024 14:22:05.250Z")[0] == datetime(2024, 3, 15, 14, 22, 5, 250000,
                                                                 tzinfo=UTC)


def test_a_column_s_reading_decides_the_ambiguous_and_refuses_the_contradicting():
    dayfirst = TimeReading(DAY_FIRST, basis="as given: --dayfirst")
    assert parse_time("03/04/2024", reading=dayfirst)[0] == datetime(2024, 4, 3, tzinfo=UTC)
    monthfirst = TimeReading(MONTH_FIRST, basis="column when: no value shows the order")
    assert parse_time("03.04.2024", reading=monthfirst)[0] == datetime(2024, 3, 4, tzinfo=UTC)
    with pytest.raises(RecordError, match=r"can only be day-first, but this column's times are "
                       r"read month-first \(column when: no value.*--dayfirst"):
        parse_time("15/03/2024 14:22", reading=monthfirst)
    with pytest.raises(RecordError, match="can only be month-first.*--monthfirst"):
        parse_time("03/15/2024", reading=dayfirst)


def test_a_time_format_is_the_only_form_read():
    reading = TimeReading(format="%d %b %Y, %H.%M")
    assert parse_time("15 Mar 2024, 14.22", reading=reading)[0] == datetime(
        2024, 3, 15, 14, 22, tzinfo=UTC)
    with pytest.raises(RecordError, match="does not match --time-format"):
        parse_time("2024-03-15T14:22:00Z", reading=reading)
    assert parse_time(1710512520, reading=reading)[0] == datetime(2024, 3, 15, 14, 22, tzinfo=UTC)


@pytest.mark.parametrize(("text", "why"), [
    ("March 2024", "not a whole date"), ("12 34", "not a whole date"),
    ("15.03.2024 14:22 CET", "time zone not understood"),
    ("32/01/2024", "not a date"), ("13/13/2024", "not a date"),
    ("15/03/2024 13:05 PM", "o'clock with AM or PM"),
])
def test_a_guess_is_never_made(text, why):
    with pytest.raises(RecordError, match=why):
        parse_time(text)


def test_the_order_of_a_column_is_decided_from_all_its_values():
    assert decide_order(["03/04/2024", "01/02/2024 10:00", "15/03/2024"], column="c").order \
        == DAY_FIRST
    assert decide_order(["03/04/2024", "04/25/2024"], column="c").order == MONTH_FIRST
    ambiguous = decide_order(["03/04/2024", None, 5], column="c", seen="the first 8 MiB")
    assert ambiguous.order == MONTH_FIRST
    assert ambiguous.basis == ("column c: no value in the first 8 MiB shows the order; "
                               "month-first is the default for dates written with '/'")
    assert decide_order(["03.04.2024"], column="c").order == DAY_FIRST
    mixed = decide_order(["15/03/2024", "16/03/2024", "03/17/2024"], column="c")
    assert mixed.order == DAY_FIRST and "1 shows the other order" in mixed.basis
    assert decide_order(["2024-03-15T10:00:00Z", "1710512520"], column="c") is None
