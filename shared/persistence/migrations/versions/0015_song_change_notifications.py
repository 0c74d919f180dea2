"""song change notifications: every committed change to a song is announced on the
`song_changes` channel

A row trigger sends the song's id on insert, update and delete; a statement trigger sends
"*" when the table is truncated (everything changed). PostgreSQL delivers notifications when
the transaction commits, and not at all when it rolls back, so a listener (the gateway's
search index) re-reads exactly what was committed.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION songs_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('song_changes', '*');
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('song_changes', OLD.id::text);
            ELSE
                PERFORM pg_notify('song_changes', NEW.id::text);
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER songs_notify_change AFTER INSERT OR UPDATE OR DELETE ON songs "
               "FOR EACH ROW EXECUTE FUNCTION songs_notify_change()")
    op.execute("CREATE TRIGGER songs_notify_truncate AFTER TRUNCATE ON songs "
               "FOR EACH STATEMENT EXECUTE FUNCTION songs_notify_change()")


def downgrade() -> None:
    op.execute("DROP TRIGGER songs_notify_truncate ON songs")
    op.execute("DROP TRIGGER songs_notify_change ON songs")
    op.execute("DROP FUNCTION songs_notify_change()")
