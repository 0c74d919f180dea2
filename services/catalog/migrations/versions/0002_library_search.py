"""library search: trigram search text, filter and sort columns, song_charts

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Frozen here rather than imported, so that this migration never changes after it shipped.
SEARCH_TEXT = ("title || ' ' || artist || ' ' || coalesce(album, '') || ' ' || "
               "coalesce(genre, '') || ' ' || coalesce(charter, '')")
FLAGS = ('has_lyrics', 'has_solos', 'has_taps', 'has_open_notes', 'has_video', 'has_issues')
SORT_INDEXES = {
    'ix_songs_sort_name': 'lower(title), id',
    'ix_songs_sort_artist': 'lower(artist), lower(title), id',
    'ix_songs_sort_album': 'lower(album), lower(title), id',
    'ix_songs_sort_year': 'year_number, lower(title), id',
    'ix_songs_sort_length': 'coalesce(song_length_ms, effective_length_ms), id',
    'ix_songs_sort_added': 'created_at, id',
    'ix_songs_sort_nps': 'max_nps, id',
    # Nullable keys sort nulls last both ways, so descending needs indexes of its own.
    'ix_songs_sort_album_desc': 'lower(album) DESC NULLS LAST, lower(title) DESC, id DESC',
    'ix_songs_sort_year_desc': 'year_number DESC NULLS LAST, lower(title) DESC, id DESC',
    'ix_songs_sort_length_desc': 'coalesce(song_length_ms, effective_length_ms) DESC NULLS LAST, '
                                 'id DESC',
    'ix_songs_sort_nps_desc': 'max_nps DESC NULLS LAST, id DESC',
}


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.add_column('songs', sa.Column('chart_hash', sa.Text(), nullable=True))
    op.add_column('songs', sa.Column('drum_type', sa.Text(), nullable=True))
    op.add_column('songs', sa.Column('instruments', postgresql.ARRAY(sa.Text()), nullable=False,
                                     server_default='{}'))
    for flag in FLAGS:
        op.add_column('songs', sa.Column(flag, sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column('songs', sa.Column('issue_count', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.add_column('songs', sa.Column('max_nps', sa.Double(), nullable=True))
    op.add_column('songs', sa.Column('effective_length_ms', sa.Integer(), nullable=True))
    op.add_column('songs', sa.Column('album_art_file', sa.Text(), nullable=True))
    op.add_column('songs', sa.Column('preview_start_ms', sa.Integer(), nullable=True))
    op.add_column('songs', sa.Column('year_number', sa.Integer(), nullable=True))
    op.add_column('songs', sa.Column('search_text', sa.Text(),
                                     sa.Computed(SEARCH_TEXT, persisted=True), nullable=False))
    op.create_index('ix_songs_search_text_trgm', 'songs', ['search_text'],
                    postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_index('ix_songs_instruments', 'songs', ['instruments'], postgresql_using='gin')
    op.create_index('ix_songs_chart_hash', 'songs', ['chart_hash'])
    for name, columns in SORT_INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON songs ({columns})')
    op.create_table('song_charts',
    sa.Column('song_id', sa.UUID(), nullable=False),
    sa.Column('instrument', sa.Text(), nullable=False),
    sa.Column('difficulty', sa.Text(), nullable=False),
    sa.Column('note_count', sa.Integer(), nullable=False),
    sa.Column('max_nps', sa.Double(), nullable=True),
    sa.Column('ini_tier', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['song_id'], ['songs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('song_id', 'instrument', 'difficulty')
    )
    # The primary key serves per-song reads; this one serves "has expert drums" filters.
    op.create_index('ix_song_charts_part', 'song_charts', ['instrument', 'difficulty', 'song_id'])
    op.create_index('ix_song_charts_difficulty', 'song_charts', ['difficulty', 'song_id'])
    _backfill()


def _backfill() -> None:
    """Fill the new columns of songs cataloged before this revision from their stored scan."""
    # Today's mapping on purpose: songs cataloged earlier should look like songs cataloged now.
    from services.catalog.scan_columns import chart_rows, scan_columns

    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, year, metadata FROM songs')).all()
    for song_id, year, scan in rows:
        columns = scan_columns(scan or {}, year=year)
        columns.pop('parts', None)  # added by 0009, which fills it from song_charts
        assignments = ', '.join(f'{name} = :{name}' for name in columns)
        bind.execute(sa.text(f'UPDATE songs SET {assignments} WHERE id = :id'),
                     {**columns, 'id': song_id})
        for row in chart_rows(scan or {}):
            bind.execute(sa.text(
                'INSERT INTO song_charts VALUES '
                '(:song_id, :instrument, :difficulty, :note_count, :max_nps, :ini_tier)'),
                {'song_id': song_id, **row})


def downgrade() -> None:
    op.drop_table('song_charts')
    for name in SORT_INDEXES:
        op.drop_index(name, table_name='songs')
    op.drop_index('ix_songs_chart_hash', table_name='songs')
    op.drop_index('ix_songs_instruments', table_name='songs')
    op.drop_index('ix_songs_search_text_trgm', table_name='songs')
    for column in ('search_text', 'year_number', 'preview_start_ms', 'album_art_file',
                   'effective_length_ms', 'max_nps', 'issue_count', *FLAGS, 'instruments',
                   'drum_type', 'chart_hash'):
        op.drop_column('songs', column)
