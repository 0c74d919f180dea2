"""Version groups on the real PostgreSQL: a library with near-duplicates, cataloged through the
catalog consumer's transaction, grouped once whatever the redeliveries and races, and an
admin's link and split."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import event as sql_events
from sqlalchemy import select, text

from services.catalog.consumers.catalog import record
from shared.events import RigSelectionChanged, SongParsed
from shared.persistence import db, rig_selections, song_versions, songs, version_reads
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.persistence.tables import SongVersion
from tests.support import stack
from tests.support.catalog_rows import insert_many_songs
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.integration


@pytest.fixture
def token() -> str:
    """A word of this test's own, in every artist and chart hash it makes."""
    return uuid.uuid4().hex[:12]


def parsed(artist: str, title: str, chart: str, song_id: uuid.UUID | None = None,
           revision: int = 1) -> SongParsed:
    song_id = song_id or uuid.uuid4()
    return SongParsed(
        event_id=SongParsed.id_for(song_id, revision, 1), song_id=song_id, revision=revision,
        manifest_key=f"manifests/{song_id}/{revision}.json", md5=uuid.uuid4().hex,
        parser_version=1, name=title, artist=artist, charter="Charter",
        scan={"chartHash": chart})


def catalog(sessions, *events: SongParsed) -> list[uuid.UUID]:
    for event in events:
        record(sessions, event)
    return [event.song_id for event in events]


def groups(sessions, *ids: uuid.UUID) -> list[uuid.UUID]:
    with sessions() as session:
        found = dict(session.execute(select(SongVersion.song_id, SongVersion.group_id)
                                     .where(SongVersion.song_id.in_(ids))).tuples().all())
    return [found[song_id] for song_id in ids]


def test_near_duplicates_group_and_other_songs_do_not(sessions, token):
    ids = catalog(
        sessions,
        parsed(f"Beyoncé {token}", "Halo", f"a-{token}"),
        parsed(f"beyonce {token}", "HALO (Remastered 2011)", f"b-{token}"),
        parsed(f"Beyonce {token}", "Halo - 2x Bass Pedal", f"c-{token}"),
        parsed(f"Beyonce {token}", "Halo (Live)", f"d-{token}"),
        parsed(f"Beyonce {token}", "Single Ladies", f"e-{token}"),
        parsed(f"Other {token}", "Halo", f"f-{token}"),
    )
    halo, remaster, pedal, live, other_song, other_artist = groups(sessions, *ids)
    assert halo == remaster == pedal == ids[0]
    assert len({halo, live, other_song, other_artist}) == 4


def test_the_same_chart_in_another_folder_joins_its_group(sessions, token):
    first, renamed = catalog(sessions, parsed(f"Band {token}", "Song", f"g-{token}"),
                             parsed(f"Typo Bnad {token}", "Sogn", f"g-{token}"))
    assert groups(sessions, first, renamed) == [first, first]


def test_a_song_without_artist_or_title_groups_only_by_its_chart(sessions, token):
    nameless, other = catalog(sessions, parsed("", "", f"h-{token}"), parsed("", "", f"i-{token}"))
    copy = catalog(sessions, parsed("", "", f"h-{token}"))[0]
    assert groups(sessions, nameless, other, copy) == [nameless, other, nameless]


def test_redelivery_changes_nothing_and_a_renamed_revision_moves(sessions, token):
    event = parsed(f"Again {token}", "Song", f"j-{token}")
    first, second = catalog(sessions, event, parsed(f"Again {token}", "Song", f"k-{token}"))
    catalog(sessions, event, parsed(f"Again {token}", "Song", f"k-{token}", song_id=second))
    assert groups(sessions, first, second) == [first, first]
    catalog(sessions, parsed(f"Again {token}", "Other Song", f"k-{token}", second, revision=2))
    moved = groups(sessions, second)[0]
    assert moved != first
    catalog(sessions, parsed(f"Again {token}", "Song", f"k-{token}", second, revision=3))
    assert groups(sessions, second) == [first]


def test_versions_cataloged_at_the_same_time_share_a_group(sessions, token):
    events = [parsed(f"Together {token}", "Song", f"{n}-{token}") for n in range(4)]
    start = threading.Barrier(len(events))

    def catalog_one(event: SongParsed) -> None:
        start.wait(timeout=10)
        record(sessions, event)

    threads = [threading.Thread(target=catalog_one, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(set(groups(sessions, *(e.song_id for e in events)))) == 1


def test_an_admin_splits_a_wrong_version_out_and_links_another_in(sessions, token):
    song, wrong, cover = catalog(sessions, parsed(f"Split {token}", "Song", f"l-{token}"),
                                 parsed(f"Split {token}", "Song", f"m-{token}"),
                                 parsed(f"Cover Band {token}", "Song", f"n-{token}"))
    with transaction(sessions) as session:
        alone = song_versions.split(session, wrong)
        joined = song_versions.link(session, cover, song)
    assert groups(sessions, song, wrong, cover) == [song, alone, song]
    assert alone != song and joined == song
    # Cataloging them again (a reindex) keeps the admin's decisions.
    catalog(sessions, parsed(f"Split {token}", "Song", f"m-{token}", wrong, revision=2),
            parsed(f"Cover Band {token}", "Song", f"n-{token}", cover, revision=2))
    assert groups(sessions, song, wrong, cover) == [song, alone, song]
    # A new version still joins the group of the oldest song that shares its name.
    newest = catalog(sessions, parsed(f"Split {token}", "Song", f"o-{token}"))[0]
    assert groups(sessions, newest) == [song]


def test_linking_a_song_brings_its_versions_along(sessions, token):
    a1, a2, b = catalog(sessions, parsed(f"Link {token}", "One", f"p-{token}"),
                        parsed(f"Link {token}", "One (Remastered)", f"q-{token}"),
                        parsed(f"Link {token}", "1", f"r-{token}"))
    with transaction(sessions) as session:
        song_versions.link(session, a2, b)
    assert groups(sessions, a1, a2, b) == [b, b, b]


def test_the_migration_groups_the_songs_already_in_the_library():
    # Up to the revision before version groups.
    with stack.database_at("0016", f"{stack.TEST_DATABASE}_versions") as (url, engine):
        ids = [uuid.uuid4() for _ in range(5)]
        with engine.begin() as connection:
            for n, (song_id, (title, artist, chart)) in enumerate(zip(ids, (
                    ("Song", "Band", "x"), ("SONG (Remastered)", "The Band", "y"),
                    ("Renamed", "Other", "y"), ("Song (Live)", "Band", "z"),
                    ("Unknown Song", "Unknown Artist", "w")), strict=True)):
                connection.execute(text(
                    "INSERT INTO songs (id, title, artist, file_path, metadata, md5, revision,"
                    " parser_version, manifest_key, chart_hash, created_at) VALUES (:id,"
                    " :title, :artist, :path, '{}', :md5, 1, 1, 'm', :chart,"
                    " now() + make_interval(secs => :n))"),
                    {"id": song_id, "title": title, "artist": artist, "chart": chart, "n": n,
                     "path": f"songs/{song_id}", "md5": uuid.uuid4().hex})
        db.upgrade(url, "0017")
        with engine.connect() as connection:
            found = dict(connection.execute(text(
                "SELECT song_id, group_id FROM song_versions")).tuples().all())
        assert [found[song_id] for song_id in ids] == [ids[0], ids[0], ids[0], ids[3], ids[4]]
        db.downgrade(url, "0016")  # and down again, cleanly


RIG = "ABCDEFG-HIJKLMN-OPQRSTU-VWXYZ23-4567ABC-DEFGHIJ-KLMNOPQ-RSTUVWX"


def test_a_rig_receives_every_version_the_newest_or_the_one_chosen(sessions, token):
    older, newer, other = catalog(sessions, parsed(f"Rig {token}", "Song", f"s-{token}"),
                                  parsed(f"Rig {token}", "Song (Remastered)", f"t-{token}"),
                                  parsed(f"Rig {token}", "Another", f"u-{token}"))

    def wanted(versions: str, chosen=()) -> set[uuid.UUID]:
        with transaction(sessions) as session:
            selection = rig_selections.save(session, RigSelectionChanged.chosen(
                RIG, mode="search", search={"q": token}, versions=versions,
                chosen_versions=chosen))
            assert selection in rig_selections.narrowed(session)
            return {uuid.UUID(i) for i in rig_selections.wanted_folders(session, selection)}

    assert wanted("every") == {older, newer, other}
    assert wanted("newest") == {newer, other}
    assert wanted("chosen", (older,)) == {older, other}
    assert wanted("chosen") == {newer, other}


def test_a_songs_versions_side_by_side_with_the_rigs_that_get_each(sessions, token):
    older, newer = catalog(sessions, parsed(f"Page {token}", "Song", f"v-{token}"),
                           parsed(f"Page {token}", "Song [Remastered]", f"w-{token}"))
    other_rig = RIG.replace("ABCDEFG", "ZZZZZZZ")
    # Rig names of this test's own: the database holds the rigs of every test before it.
    den, attic = f"den {token}", f"attic {token}"
    with transaction(sessions) as session:
        rig_selections.save(session, RigSelectionChanged.chosen(
            RIG, name=den, mode="search", search={"q": token}, versions="newest"))
        rig_selections.save(session, RigSelectionChanged.chosen(
            other_rig, name=attic, mode="search", search={"q": token}, versions="chosen",
            chosen_versions=(older,)))
    with sessions() as session:
        page = version_reads.song_versions(session, newer)
        upload = version_reads.new_versions(session, [older, newer])
    assert [v["id"] for v in page["versions"]] == [str(older), str(newer)]
    assert all(v["versions"]["count"] == 2 for v in page["versions"])
    gets = {rig["name"]: rig["gets"] for rig in page["rigs"]}
    assert gets[den] == [str(newer)] and gets[attic] == [str(older)]
    assert list(upload) == [str(newer)]
    assert upload[str(newer)]["of"]["id"] == str(older)
    assert upload[str(newer)]["older"] == 1
    rigs = {rig["name"]: rig["gets"] for rig in upload[str(newer)]["rigs"]}
    assert rigs[den] is True and rigs[attic] is False


def test_a_song_charted_by_many_lists_itself_and_the_newest_others(sessions, token):
    charts = [parsed(f"Many {token}", "Song", f"m{n}-{token}")
              for n in range(version_reads.VERSIONS_LISTED + 3)]
    oldest, *others = catalog(sessions, *charts)
    with sessions() as session:
        page = version_reads.song_versions(session, oldest)
    listed = [uuid.UUID(v["id"]) for v in page["versions"]]
    assert page["total"] == version_reads.VERSIONS_LISTED + 3
    assert listed == [oldest, *others[-(version_reads.VERSIONS_LISTED - 1):]]
    assert all(v["versions"]["count"] == page["total"] for v in page["versions"])


def test_placing_a_song_reads_a_few_rows_however_many_versions_it_has(sessions, database_url,
                                                                        token):
    """The library's cost per song stays flat: the oldest version is found by the database,
    not by reading every version of the song."""
    first, *others = catalog(sessions, *(parsed(f"Artist {token}", "Song", f"chart-{token}")
                                         for _ in range(120)))
    engine = make_engine(database_url)
    rows_returned = []
    sql_events.listen(engine, "after_cursor_execute",
                 lambda conn, cursor, statement, *_: rows_returned.append(
                     cursor.rowcount if statement.lstrip().upper().startswith("SELECT") else 0))
    try:
        [late] = catalog(make_sessions(engine),
                         parsed(f"artist {token}", "song", f"chart-{token}"))
    finally:
        engine.dispose()
    assert len(set(groups(sessions, first, *others, late))) == 1
    assert sum(rows_returned) <= 10
    # Nor does the database read them, or the songs that came before them: the first entries
    # of an index in the order songs came.
    with transaction(sessions) as session:
        insert_many_songs(session, 1000, ":path || i", {"artist": f"Earlier {token}",
                                                        "path": f"songs/earlier-{token}/"},
                          title="'Earlier ' || i", artist=":artist",
                          created_at="now() - interval '1 day'")
        session.execute(text("ANALYZE songs"))
    engine = make_engine(database_url)  # a connection of its own: no plan cached before
    try:
        with transaction(make_sessions(engine)) as session:
            event = parsed(f"Artist {token}", "Song", f"chart-{token}")
            songs.record_parsed(session, event)
            before = rows_read(session, "songs", "song_versions")
            song_versions.place(session, event.song_id)
            read = rows_read(session, "songs", "song_versions") - before
    finally:
        engine.dispose()
    assert read <= 20, f"{read} rows of songs and song_versions read to place one more version"

