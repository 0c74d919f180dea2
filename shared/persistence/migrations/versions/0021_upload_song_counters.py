"""upload song counters: an upload counts its songs at an end as they reach it

Each song's end (published, already in the library, failed) adds to its upload's counters, so
telling whether an upload is complete reads its own row, not all of its songs. A song's row
keeps the stage it had before its last event: the upsert that moves it tells by itself whether
it reached an end. The songs that
ended lately are found through an index holding only ended songs, by upload and time.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_ENDED = "stage IN ('published', 'duplicate', 'failed')"


def upgrade() -> None:
    op.add_column("uploads", sa.Column("songs_ended", sa.Integer(), nullable=False,
                                       server_default="0"))
    op.add_column("uploads", sa.Column("songs_failed", sa.Integer(), nullable=False,
                                       server_default="0"))
    op.add_column("upload_songs", sa.Column("previous_stage", sa.String(32), nullable=True))
    op.execute(f"""
        UPDATE uploads SET songs_ended = counted.ended, songs_failed = counted.failed
        FROM (SELECT upload_id, count(*) FILTER (WHERE {_ENDED}) AS ended,
                     count(*) FILTER (WHERE stage = 'failed') AS failed
              FROM upload_songs GROUP BY upload_id) AS counted
        WHERE uploads.id = counted.upload_id""")
    op.execute("CREATE INDEX ix_upload_songs_ended_lately "
               f"ON upload_songs (upload_id, updated_at) WHERE {_ENDED}")


def downgrade() -> None:
    op.drop_index("ix_upload_songs_ended_lately", table_name="upload_songs")
    op.drop_column("upload_songs", "previous_stage")
    op.drop_column("uploads", "songs_failed")
    op.drop_column("uploads", "songs_ended")
