"""The setlists tables over the real database: songs kept in order, each once, reordered only
into a permutation of themselves, shared by token, left behind by a deleted song, and a rig
whose selection is a setlist."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.events import RigSelectionChanged, SongDeleted, SongParsed
from shared.persistence import rig_selections, setlists, songs
from shared.persistence.db import transaction
from shared.persistence.tables import Song

pytestmark = pytest.mark.integration


def catalog_song(sessions: sessionmaker[Session], title: str) -> uuid.UUID:
    song_id = uuid.uuid4()
    event = SongParsed(event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id,
                       manifest_key=f"manifests/{song_id}/000001.json", md5=uuid.uuid4().hex,
                       parser_version=1, name=title, artist="Setlist Band", scan={})
    with transaction(sessions) as session:
        songs.record_parsed(session, event)
    return song_id


@pytest.fixture
def three(sessions) -> list[uuid.UUID]:
    return [catalog_song(sessions, f"Song {n} {uuid.uuid4().hex[:6]}") for n in range(3)]


def order(sessions, setlist_id) -> list[uuid.UUID]:
    with sessions() as session:
        return setlists.song_ids(session, setlist_id)


def test_songs_are_appended_in_order_once_each_and_only_if_the_library_has_them(
        sessions, three, unique):
    a, b, c = three
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        assert setlists.create(session, setlist_id, name=f"Gig {unique}", owner="ann",
                               song_ids=[b, uuid.uuid4(), a]) == 2
    with transaction(sessions) as session:
        assert setlists.add_songs(session, setlist_id, [a, c, c]) == 3

    assert order(sessions, setlist_id) == [b, a, c]
    with sessions() as session:
        view = setlists.setlist(session, setlist_id)
    assert (view.name, view.owner, view.version) == (f"Gig {unique}", "ann", 3)
    assert [song.id for song in view.songs] == [b, a, c]


def test_reorder_takes_a_permutation_of_the_songs_and_nothing_else(sessions, three, unique):
    a, b, c = three
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, setlist_id, name=unique, owner="ann", song_ids=[a, b, c])
    with transaction(sessions) as session:
        setlists.reorder(session, setlist_id, [c, a, b])
    for wrong in ([c, a], [c, a, b, b], [c, a, uuid.uuid4()]):
        with pytest.raises(setlists.OrderMismatch), transaction(sessions) as session:
            setlists.reorder(session, setlist_id, wrong)

    assert order(sessions, setlist_id) == [c, a, b]


def test_a_removed_song_leaves_the_others_in_order(sessions, three, unique):
    a, b, c = three
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, setlist_id, name=unique, owner="ann", song_ids=[a, b, c])
        setlists.remove_song(session, setlist_id, b)
        setlists.add_songs(session, setlist_id, [b])

    assert order(sessions, setlist_id) == [a, c, b]


def test_a_song_deleted_from_the_library_leaves_every_setlist(sessions, three, unique):
    a, b, _ = three
    first, second = uuid.uuid4(), uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, first, name=f"{unique} 1", owner="ann", song_ids=[a, b])
        setlists.create(session, second, name=f"{unique} 2", owner="bob", song_ids=[b])
    with transaction(sessions) as session:
        songs.record_deleted(session, SongDeleted.about(b, 2))

    assert order(sessions, first) == [a]
    assert order(sessions, second) == []


def test_a_share_token_finds_the_setlist_until_it_is_withdrawn(sessions, three, unique):
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, setlist_id, name=unique, owner="ann", song_ids=three[:1])
        setlists.set_share_token(session, setlist_id, f"token-{unique}")
    with sessions() as session:
        assert setlists.shared_setlist(session, f"token-{unique}").id == setlist_id
    with transaction(sessions) as session:
        setlists.set_share_token(session, setlist_id, None)
    with sessions() as session:
        assert setlists.shared_setlist(session, f"token-{unique}") is None


def test_writes_to_a_missing_setlist_answer_none_and_summaries_list_an_owners(
        sessions, three, unique):
    owner = f"owner-{unique}"
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, kept, name="b list", owner=owner, song_ids=three)
        setlists.create(session, dropped, name="A list", owner=owner)
        assert setlists.remove(session, dropped) == 1
        assert setlists.rename(session, dropped, "gone") is None
        assert setlists.add_songs(session, dropped, three) is None
    with sessions() as session:
        listed = setlists.summaries(session, owner)

    assert [(s.id, s.name, s.song_count) for s in listed] == [(kept, "b list", 3)]


def test_a_rig_whose_selection_is_a_setlist_wants_its_songs_as_they_are_now(sessions, three,
                                                                            unique):
    a, b, c = three
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        setlists.create(session, setlist_id, name=unique, owner="ann", song_ids=[a, b])
        selection = rig_selections.save(session, RigSelectionChanged.chosen(
            f"RIG-{unique}", mode="setlist", setlist_id=setlist_id))
    with transaction(sessions) as session:
        setlists.add_songs(session, setlist_id, [c])
        setlists.remove_song(session, setlist_id, a)

    with sessions() as session:
        wanted = rig_selections.wanted_folders(session, selection)
        paths = dict(session.execute(select(Song.id, Song.file_path)
                                     .where(Song.id.in_([b, c]))).all())
    assert wanted == {str(song): paths[song].removeprefix("songs/") for song in (b, c)}
    with sessions() as session:
        assert selection in rig_selections.narrowed(session)
