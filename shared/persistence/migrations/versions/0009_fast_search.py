"""faster library search: each song's words, every word of the library, each song's parts

A typo search first finds the library's words that look like each word typed (a trigram index
over short words), then the songs holding one of those words for every word typed (a GIN index
over each song's words). Comparing the typed text with every candidate song's whole search text
cost a trigram comparison per candidate, which a common word makes thousands of. A song's
parts ("drums:expert") beside it let a difficulty filter check the row instead of joining
song_charts.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen copies of shared.persistence.tables.SEARCH_TEXT and SEARCH_WORDS at this revision.
SEARCH_TEXT = ("title || ' ' || artist || ' ' || coalesce(album, '') || ' ' || "
               "coalesce(genre, '') || ' ' || coalesce(charter, '')")
SEARCH_WORDS = (f"array_remove(regexp_split_to_array(lower({SEARCH_TEXT}), "
                "'[[:space:][:punct:]]+'), '')")


def upgrade() -> None:
    op.add_column("songs", sa.Column("parts", postgresql.ARRAY(sa.Text()), nullable=False,
                                     server_default="{}"))
    op.execute("""
        UPDATE songs SET parts = found.parts
        FROM (SELECT song_id, array_agg(instrument || ':' || difficulty) AS parts
              FROM song_charts GROUP BY song_id) AS found
        WHERE found.song_id = songs.id""")
    op.create_index("ix_songs_parts", "songs", ["parts"], postgresql_using="gin")
    op.add_column("songs", sa.Column("search_words", postgresql.ARRAY(sa.Text()),
                                     sa.Computed(SEARCH_WORDS, persisted=True), nullable=False))
    op.create_index("ix_songs_search_words", "songs", ["search_words"], postgresql_using="gin")
    op.create_table("search_words", sa.Column("word", sa.Text(), primary_key=True))
    op.create_index("ix_search_words_trgm", "search_words", ["word"], postgresql_using="gin",
                    postgresql_ops={"word": "gin_trgm_ops"})
    op.execute("INSERT INTO search_words (word) SELECT DISTINCT unnest(search_words) FROM songs")
    # Words are only ever added: a word no song holds any longer finds no song.
    op.execute("""
        CREATE FUNCTION remember_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_words (word)
            SELECT DISTINCT word FROM unnest(NEW.search_words) AS word ORDER BY word
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER songs_remember_search_words
        AFTER INSERT OR UPDATE OF title, artist, album, genre, charter ON songs
        FOR EACH ROW EXECUTE FUNCTION remember_search_words()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER songs_remember_search_words ON songs")
    op.execute("DROP FUNCTION remember_search_words()")
    op.drop_table("search_words")
    op.drop_index("ix_songs_search_words", table_name="songs")
    op.drop_column("songs", "search_words")
    op.drop_index("ix_songs_parts", table_name="songs")
    op.drop_column("songs", "parts")
