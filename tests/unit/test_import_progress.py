"""The import's progress: rates over a sliding window, the time left, and its lines."""

from __future__ import annotations

import io

import pytest

from services.importer.display import ProgressLine
from services.importer.progress import ProgressMeter, describe, duration, time_left

MIB = 2**20


def test_the_rates_count_only_the_last_window_of_time():
    meter = ProgressMeter(songs_total=100, bytes_total=100 * MIB, started_at=0,
                          window_seconds=10)
    meter.record(1, songs=50, bytes_done=50 * MIB)  # a burst long ago
    for second in range(20, 31):
        meter.record(second, songs=1, bytes_done=MIB)
    pace = meter.reading(30)
    assert pace.songs_per_second == pytest.approx(1.0)
    assert pace.bytes_per_second == pytest.approx(MIB)
    assert (pace.songs_done, pace.bytes_done, pace.elapsed) == (61, 61 * MIB, 30)


def test_a_pause_slows_the_rate_until_songs_move_again():
    meter = ProgressMeter(songs_total=10, bytes_total=0, started_at=0, window_seconds=10)
    meter.record(2, songs=4)
    assert meter.reading(2).songs_per_second == pytest.approx(2.0)
    assert meter.reading(20).songs_per_second == pytest.approx(0.0)
    assert meter.reading(20).eta_seconds is None


def test_the_time_left_follows_the_bytes_still_to_send():
    meter = ProgressMeter(songs_total=10, bytes_total=100 * MIB, started_at=0)
    meter.record(10, songs=5, bytes_done=20 * MIB)  # small songs first: 5 of 10, a fifth of it
    assert meter.reading(10).eta_seconds == pytest.approx(40)


def test_the_time_left_follows_the_songs_where_no_bytes_are_counted():
    assert time_left(30, 2.0, 0, None) == pytest.approx(15)
    assert time_left(0, None, 0, None) == 0
    assert time_left(5, None, 0, None) is None


def test_failures_are_songs_done_and_are_counted_on_top_of_those_before():
    meter = ProgressMeter(songs_total=3, bytes_total=0, started_at=0, failed=2)
    meter.record(1, songs=1, failed=1)
    pace = meter.reading(1)
    assert (pace.songs_done, pace.failed) == (1, 3)


def test_a_line_names_every_figure():
    meter = ProgressMeter(songs_total=80, bytes_total=100 * MIB, started_at=0)
    meter.record(8, songs=12, bytes_done=4 * MIB)
    assert describe("Sending", meter.reading(8)) == (
        "Sending: 12/80 songs, 1.5 songs/s, 4.0 MiB sent (0.5 MiB/s), ETA 3m12s, 0 failed")
    reading = ProgressMeter(0, 0, started_at=0)
    reading.record(2, songs=7)
    assert describe("Reading", reading.reading(2)) == "Reading: 7 songs, 3.5 songs/s, 0 failed"


@pytest.mark.parametrize(("seconds", "text"), [(None, "?"), (44.6, "45s"), (187, "3m07s"),
                                               (7500, "2h05m")])
def test_durations_read_as_a_clock(seconds, text):
    assert duration(seconds) == text


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_a_line_is_written_every_few_seconds_and_at_each_stage_end():
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, tty=False, every_seconds=5, clock=clock)
    for moment in range(12):
        clock.now = moment
        line.show(f"at {moment}")
    line.show("stage done", last=True)
    line.show("next stage")
    assert out.getvalue().splitlines() == ["at 0", "at 5", "at 10", "stage done", "next stage"]


def test_on_a_terminal_one_line_is_rewritten_in_place():
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, tty=True, every_seconds=5, clock=clock)
    line.show("one")
    clock.now = 0.05
    line.show("too soon")
    clock.now = 0.2
    line.show("two")
    line.end()
    assert out.getvalue() == "\rone\x1b[K\rtwo\x1b[K\n"
