"""library search: trigram search text, filter and sort columns, song_charts

Revision ID: 0002
Revises: 0001
"""
import re

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
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, year, metadata FROM songs')).all()
    for song_id, year, scan in rows:
        columns = _scan_columns(scan or {}, year)
        assignments = ', '.join(f'{name} = :{name}' for name in columns)
        bind.execute(sa.text(f'UPDATE songs SET {assignments} WHERE id = :id'),
                     {**columns, 'id': song_id})
        for row in _chart_rows(scan or {}):
            bind.execute(sa.text(
                'INSERT INTO song_charts VALUES '
                '(:song_id, :instrument, :difficulty, :note_count, :max_nps, :ini_tier)'),
                {'song_id': song_id, **row})


# The mapping from a stored scan to the new columns, frozen as it was when this migration
# shipped (the live one is shared.persistence.scan_columns): a migration never imports live code.
INSTRUMENTS = ('guitar', 'guitarcoop', 'rhythm', 'bass', 'drums', 'keys', 'guitarghl',
               'guitarcoopghl', 'rhythmghl', 'bassghl')
DIFFICULTIES = ('expert', 'hard', 'medium', 'easy')
DIFFICULTY_KEYS = {
    'guitar': 'diff_guitar', 'guitarcoop': 'diff_guitar_coop', 'rhythm': 'diff_rhythm',
    'bass': 'diff_bass', 'drums': 'diff_drums', 'keys': 'diff_keys',
    'guitarghl': 'diff_guitarghl', 'guitarcoopghl': 'diff_guitar_coop_ghl',
    'rhythmghl': 'diff_rhythm_ghl', 'bassghl': 'diff_bassghl'}
YEAR = re.compile(r'(?<!\d)(\d{4})(?!\d)')


def _scan_columns(scan, year):
    notes = scan.get('notesData') or {}
    metadata = scan.get('metadata') or {}
    issues = sum(len(group or ()) for group in (
        scan.get('folderIssues'), scan.get('metadataIssues'), notes.get('chartIssues')))
    nps = [_number(entry.get('nps')) for entry in notes.get('maxNps') or ()]
    instruments = list(dict.fromkeys(str(name) for name in notes.get('instruments') or ()))
    year = year if year is not None else scan.get('year')
    found_year = YEAR.search(str(year)) if year is not None else None
    return {
        'chart_hash': scan.get('chartHash'),
        'drum_type': notes.get('drumTypeName'),
        'instruments': sorted(instruments, key=lambda n: (
            INSTRUMENTS.index(n) if n in INSTRUMENTS else 99, n)),
        'has_lyrics': bool(notes.get('hasLyrics')),
        'has_solos': bool(notes.get('hasSoloSections')),
        'has_taps': bool(notes.get('hasTapNotes')),
        'has_open_notes': bool(notes.get('hasOpenNotes')),
        'has_video': bool(scan.get('hasVideoBackground')),
        'has_issues': issues > 0,
        'issue_count': issues,
        'max_nps': max((n for n in nps if n is not None), default=None),
        'effective_length_ms': _milliseconds(notes.get('effectiveLength')),
        'album_art_file': (scan.get('albumArt') or {}).get('file'),
        'preview_start_ms': _milliseconds(metadata.get('preview_start_time')),
        'year_number': int(found_year.group(1)) if found_year else None,
    }


def _chart_rows(scan):
    notes = scan.get('notesData') or {}
    metadata = scan.get('metadata') or {}
    nps = {(e.get('instrument'), e.get('difficulty')): _number(e.get('nps'))
           for e in notes.get('maxNps') or ()}
    rows = []
    for entry in notes.get('noteCounts') or ():
        instrument, difficulty = entry.get('instrument'), entry.get('difficulty')
        count = _whole(entry.get('count'))
        if not instrument or not difficulty or not count:
            continue
        tier = _whole(metadata.get(DIFFICULTY_KEYS.get(instrument, '')))
        rows.append({'instrument': instrument, 'difficulty': difficulty, 'note_count': count,
                     'max_nps': nps.get((instrument, difficulty)),
                     'ini_tier': tier if tier is not None and tier >= 0 else None})
    return rows


def _milliseconds(value):
    number = _whole(value)
    return number if number is not None and number >= 0 else None


def _whole(value):
    number = _number(value)
    return None if number is None else int(number)


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float('inf') else None


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
