"""The pace of an upload or import in progress: songs ended over the last minute, time left."""

from __future__ import annotations

import pytest

from shared.persistence.upload_activity import pace


@pytest.mark.parametrize(("done", "elapsed", "left", "rate", "eta"), [
    (30, 120, 60, 0.5, 120),   # a full minute's window
    (10, 20, 40, 0.5, 80),     # younger than the window: since the start
    (3, 60, 0, 0.05, 0.0),     # all done
])
def test_the_rate_is_over_the_last_minute_and_the_time_left_at_that_rate(done, elapsed, left,
                                                                         rate, eta):
    assert pace(done, elapsed, left) == (pytest.approx(rate), pytest.approx(eta))


def test_no_time_left_is_told_while_nothing_moves_or_the_total_is_unknown():
    assert pace(0, 120, 5) == (0.0, None)
    assert pace(3, 60, None) == (pytest.approx(0.05), None)
    assert pace(0, 0, 5) == (None, None)
