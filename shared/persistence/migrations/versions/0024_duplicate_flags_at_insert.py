"""duplicate flags at insert: a new song is written with its flags already right

A new copy of a chart (or another chart of a title) was written with both flags false, then
updated by the statement trigger that keeps them: a second version of the row, with an entry in
each of the table's indexes, and a dead entry left behind in the index of the songs not flagged
(which the next copies of the chart read through until a vacuum). A row trigger now sets the
new row's flags before it is written, from the same two index entries per key; the statement
trigger is left only the other songs of a group that has just come to have copies. Each
lookup reads an index in order, one entry, however many copies the chart has.

Revision ID: 0024
Revises: 0023
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_CHART = "coalesce(chart_hash, md5)"
_SAME_TITLE = "lower(artist) = lower(NEW.artist) AND lower(title) = lower(NEW.title)"


def _first(value: str, where: str) -> str:
    """The songs `where` holds, in the order of `value`. The order is what keeps every lookup on
    its index: asked only whether a song exists, the planner expects to meet one early in a
    scan of the table when a chart has many copies, and scans, through the whole library when
    the copies are its newest songs."""
    return f"SELECT {value} FROM songs WHERE {where} ORDER BY {value}"


def _differs(value: str, mine: str, where: str) -> str:
    """Whether a song `where` holds has a `value` other than `mine`: the least or the greatest,
    each the first entry of an index in one direction."""
    first = _first(value, where)
    return (f"(coalesce(({first} LIMIT 1) <> {mine}, false)"
            f" OR coalesce(({first} DESC LIMIT 1) <> {mine}, false))")


# The lock the statement trigger takes (0010), taken first: two copies inserted at once are
# flagged one after the other, the second seeing the first once it committed.
FLAG_NEW = f"""
CREATE FUNCTION songs_flag_new_duplicates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('chhub.duplicate_flags'));
    NEW.duplicate_chart := NEW.chart_hash IS NOT NULL
        AND ({_first("md5", "chart_hash = NEW.chart_hash")} LIMIT 1) IS NOT NULL;
    NEW.duplicate_title := {_differs(_CHART, "coalesce(NEW.chart_hash, NEW.md5)", _SAME_TITLE)};
    RETURN NEW;
END $$"""


def upgrade() -> None:
    op.execute(FLAG_NEW)
    op.execute("CREATE TRIGGER songs_flag_new_duplicates BEFORE INSERT ON songs "
               "FOR EACH ROW EXECUTE FUNCTION songs_flag_new_duplicates()")


def downgrade() -> None:
    op.execute("DROP TRIGGER songs_flag_new_duplicates ON songs")
    op.execute("DROP FUNCTION songs_flag_new_duplicates()")
