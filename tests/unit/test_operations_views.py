"""The operations pages' pure parts: the dead-letter list's empty state and links, and the
upload history's filters read from and written back to a query string."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.gateway.operator_actions import UploadFilters, letter_summary
from shared.dead_letters import DeadLetter

TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "gateway" / "templates"


def render(**context) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    return env.get_template("_ops_dead_letters.html").render(csrf_input="", **context)


def test_no_dead_letters_shows_that_every_message_was_handled():
    html = render(queues={}, total=0, broker_error=None)
    assert "No dead letters: every message was handled." in html


def test_a_dead_letter_links_its_song_and_upload_and_escapes_its_reason():
    song, upload = uuid.uuid4(), uuid.uuid4()
    letter = letter_summary(DeadLetter(
        queue="ingest.extract", message_id="m1", event_type="song.found",
        reason="<b>boom</b>", attempts=4, headers={},
        body={"song_id": str(song), "upload_id": str(upload), "event_type": "song.found"}))
    html = render(queues={"ingest.extract": [letter]}, total=1, broker_error=None)
    assert f'href="/songs/{song}"' in html and f'href="/uploads/{upload}"' in html
    assert "&lt;b&gt;boom&lt;/b&gt;" in html and "Retry all" in html


def test_a_dead_letter_without_a_message_id_offers_only_the_queue_buttons():
    letter = letter_summary(DeadLetter(queue="ingest.extract", message_id=None, event_type=None,
                                       reason="?", attempts=0, body="not json", headers={}))
    html = render(queues={"ingest.extract": [letter]}, total=1, broker_error=None)
    assert 'name="message_id"' not in html and "use the queue" in html


def test_upload_filters_treat_empty_fields_as_any_and_round_trip():
    filters = UploadFilters.from_params({"state": "failed", "source": "", "q": "drums",
                                         "since": "2024-05-01", "page": "2"})
    assert (filters.state, filters.source, filters.since, filters.page) == (
        "failed", None, date(2024, 5, 1), 2)
    assert filters.to_params() == {"state": "failed", "q": "drums", "since": "2024-05-01"}


@pytest.mark.parametrize("params", [{"state": "lost"}, {"source": "ftp"}, {"since": "May"},
                                    {"page": "0"}])
def test_upload_filters_refuse_what_they_do_not_know(params):
    with pytest.raises(ValueError):
        UploadFilters.from_params(params)
