"""duplicate flags by index: a song added to a large group reads a few index entries

Keeping the duplicate flags counted every song of each touched chart hash and of each touched
artist and title, and rewrote the new song once per flag, so adding a copy of a chart that the
library already held many times cost more with each copy. Now a chart has copies when a
second song with its hash exists (two rows at most), an artist and title have several charts
when their least and greatest chart differ (two index entries), and only the songs whose flag
is wrong are found, through indexes of the songs not flagged and of the songs flagged, and
written.

Revision ID: 0022
Revises: 0021
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_SAME_TITLE = "lower(artist) = artist_key AND lower(title) = title_key"


def _ends(value: str, where: str) -> str:
    """Whether the songs `where` holds have more than one `value`: their least and greatest,
    each the first entry of an index in one direction. Spelled out rather than min() < max(),
    which the planner may answer by reading every matching song when it expects few."""
    first = f"SELECT {value} FROM songs WHERE {where} ORDER BY {value}"
    return f"(({first} LIMIT 1) < ({first} DESC LIMIT 1))"

# Same signature, lock and snapshot rules as before (0010): only the reading and writing change.
# One key at a time, so that each statement is a lookup of one key in one index.
REFRESH = f"""
CREATE OR REPLACE FUNCTION refresh_duplicate_flags(hashes text[], artists text[],
                                                   titles text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    hash text;
    artist_key text;
    title_key text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('chhub.duplicate_flags'));
    FOR hash IN SELECT DISTINCT h FROM unnest(hashes) AS h WHERE h IS NOT NULL LOOP
        IF {_ends("md5", "chart_hash = hash")} THEN
            UPDATE songs SET duplicate_chart = true
            WHERE chart_hash = hash AND NOT duplicate_chart;
        ELSE
            UPDATE songs SET duplicate_chart = false WHERE chart_hash = hash AND duplicate_chart;
        END IF;
    END LOOP;
    FOR artist_key, title_key IN SELECT DISTINCT a, t FROM unnest(artists, titles) AS k(a, t)
    LOOP
        IF {_ends("coalesce(chart_hash, md5)", _SAME_TITLE)} THEN
            UPDATE songs SET duplicate_title = true WHERE {_SAME_TITLE} AND NOT duplicate_title;
        ELSE
            UPDATE songs SET duplicate_title = false WHERE {_SAME_TITLE} AND duplicate_title;
        END IF;
    END LOOP;
END $$"""

INDEXES = {
    # A chart's least and greatest md5 (and its songs, as ix_songs_chart_hash held them).
    "ix_songs_chart_copies": "(chart_hash, md5)",
    # Its songs not flagged yet (the flagged ones: ix_songs_duplicate_chart).
    "ix_songs_chart_unflagged": "(chart_hash) WHERE NOT duplicate_chart",
    # An artist and title's least and greatest chart, and its songs not flagged yet.
    "ix_songs_title_charts": "(lower(artist), lower(title), coalesce(chart_hash, md5))",
    "ix_songs_title_unflagged": "(lower(artist), lower(title)) WHERE NOT duplicate_title",
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON songs {columns}")
    op.drop_index("ix_songs_chart_hash", table_name="songs")
    op.execute(REFRESH)


def downgrade() -> None:
    op.create_index("ix_songs_chart_hash", "songs", ["chart_hash"])
    op.execute(_refresh_before().replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for name in INDEXES:
        op.drop_index(name, table_name="songs")


def _refresh_before() -> str:
    """The function as revision 0010 made it."""
    path = Path(__file__).with_name("0010_duplicate_flags.py")
    spec = importlib.util.spec_from_file_location("duplicate_flags_0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.REFRESH
