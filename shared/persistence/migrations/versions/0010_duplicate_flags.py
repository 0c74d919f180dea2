"""duplicate flags: each song says whether its chart or its title has other copies

Finding the songs that share a chart hash, or an artist and title under different charts,
grouped every song of the library for each search. Each song now carries two flags, kept
current by statement triggers whenever songs are added, changed or removed, and the
"possible duplicates" filter reads a partial index of the flagged songs.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Marks every song of the given chart hashes and (artist, title) keys, ignoring case. One lock
# for every writer: two songs of one group cataloged at once each see the other once the first
# commits, since every statement of a volatile function reads a fresh snapshot.
REFRESH = """
CREATE FUNCTION refresh_duplicate_flags(hashes text[], artists text[], titles text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('chhub.duplicate_flags'));
    UPDATE songs SET duplicate_chart = found.copies > 1
    FROM (SELECT chart_hash, count(*) AS copies FROM songs
          WHERE chart_hash IN (SELECT unnest(hashes)) GROUP BY chart_hash) AS found
    WHERE songs.chart_hash = found.chart_hash
      AND songs.duplicate_chart IS DISTINCT FROM (found.copies > 1);
    UPDATE songs SET duplicate_title = found.charts > 1
    FROM (SELECT lower(artist) AS artist_key, lower(title) AS title_key,
                 count(DISTINCT coalesce(chart_hash, md5)) AS charts
          FROM songs
          WHERE (lower(artist), lower(title)) IN (SELECT * FROM unnest(artists, titles))
          GROUP BY 1, 2) AS found
    WHERE lower(songs.artist) = found.artist_key AND lower(songs.title) = found.title_key
      AND songs.duplicate_title IS DISTINCT FROM (found.charts > 1);
END $$"""

# One trigger function per event: a transition table's name is fixed per trigger. An update
# touches the groups of the rows whose keys changed, before and after; the flag updates
# themselves run one trigger level down and are passed over.
_KEYS = "chart_hash, artist, title, md5"
TOUCHED = {
    "INSERT": ("REFERENCING NEW TABLE AS changed", f"SELECT {_KEYS} FROM changed"),
    "DELETE": ("REFERENCING OLD TABLE AS changed", f"SELECT {_KEYS} FROM changed"),
    "UPDATE": ("REFERENCING OLD TABLE AS before NEW TABLE AS after",
               f"(SELECT {_KEYS} FROM before EXCEPT SELECT {_KEYS} FROM after) UNION ALL "
               f"(SELECT {_KEYS} FROM after EXCEPT SELECT {_KEYS} FROM before)"),
}


def upgrade() -> None:
    op.add_column("songs", sa.Column("duplicate_chart", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("songs", sa.Column("duplicate_title", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.execute(REFRESH)
    op.execute("""
        SELECT refresh_duplicate_flags(array_agg(DISTINCT chart_hash), array_agg(lower(artist)),
                                       array_agg(lower(title)))
        FROM songs""")
    for event, (referencing, touched) in TOUCHED.items():
        name = event.lower()
        op.execute(f"""
            CREATE FUNCTION songs_{name}_duplicate_flags() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF;
                PERFORM refresh_duplicate_flags(array_agg(DISTINCT chart_hash),
                                                array_agg(lower(artist)), array_agg(lower(title)))
                FROM ({touched}) AS touched HAVING count(*) > 0;
                RETURN NULL;
            END $$""")
        op.execute(f"""
            CREATE TRIGGER songs_{name}_duplicate_flags AFTER {event} ON songs {referencing}
            FOR EACH STATEMENT EXECUTE FUNCTION songs_{name}_duplicate_flags()""")
    op.create_index("ix_songs_duplicate_chart", "songs", ["chart_hash"],
                    postgresql_where=sa.text("duplicate_chart"))
    op.execute("CREATE INDEX ix_songs_duplicate_title ON songs "
               "(lower(artist), lower(title), id) WHERE duplicate_title")


def downgrade() -> None:
    op.drop_index("ix_songs_duplicate_title", table_name="songs")
    op.drop_index("ix_songs_duplicate_chart", table_name="songs")
    for event in TOUCHED:
        name = event.lower()
        op.execute(f"DROP TRIGGER songs_{name}_duplicate_flags ON songs")
        op.execute(f"DROP FUNCTION songs_{name}_duplicate_flags()")
    op.execute("DROP FUNCTION refresh_duplicate_flags(text[], text[], text[])")
    op.drop_column("songs", "duplicate_title")
    op.drop_column("songs", "duplicate_chart")
