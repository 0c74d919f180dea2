"""version change notifications: a song whose version group changes is announced on the
`song_changes` channel, as a change to its own row is (migration 0015)

A row trigger on `song_versions` sends the song's id when it is placed in a group, moved to
another (an admin's link or split) or leaves (deleted); a statement trigger sends "*" when the
table is truncated. The gateway's search index re-reads the song, with its group, on commit.
The trigger function is written out here in full, as it stands at this revision.

Revision ID: 0019
Revises: 0018
"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION song_versions_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('song_changes', '*');
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('song_changes', OLD.song_id::text);
            ELSIF TG_OP = 'INSERT' OR NEW.group_id IS DISTINCT FROM OLD.group_id THEN
                PERFORM pg_notify('song_changes', NEW.song_id::text);
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER song_versions_notify_change "
               "AFTER INSERT OR UPDATE OR DELETE ON song_versions "
               "FOR EACH ROW EXECUTE FUNCTION song_versions_notify_change()")
    op.execute("CREATE TRIGGER song_versions_notify_truncate AFTER TRUNCATE ON song_versions "
               "FOR EACH STATEMENT EXECUTE FUNCTION song_versions_notify_change()")


def downgrade() -> None:
    op.execute("DROP TRIGGER song_versions_notify_truncate ON song_versions")
    op.execute("DROP TRIGGER song_versions_notify_change ON song_versions")
    op.execute("DROP FUNCTION song_versions_notify_change()")
