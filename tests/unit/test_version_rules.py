"""The rules that make two charts versions of one song, and what a rig gets of them
(shared.songs.versions)."""

from datetime import UTC, datetime

import pytest

from shared.songs.versions import Version, title_key, versions_for_rig

SAME_SONG = [
    (("Foo Fighters", "Everlong"), ("foo fighters", "EVERLONG")),
    (("Beyoncé", "Halo"), ("Beyonce", "Halo")),
    (("Motörhead", "Ace of Spades"), ("Motorhead", "Ace Of Spades")),
    (("The Beatles", "Help!"), ("Beatles", "Help")),
    (("Simon & Garfunkel", "The Boxer"), ("Simon and Garfunkel", "The Boxer")),
    (("Queen", "Don't Stop Me Now"), ("Queen", "Dont Stop Me Now")),
    (("Queen", "Bohemian Rhapsody (Remastered 2011)"), ("Queen", "Bohemian Rhapsody")),
    (("Queen", "Bohemian Rhapsody - 2011 Remaster"), ("Queen", "Bohemian Rhapsody")),
    (("Queen", "Bohemian Rhapsody [Remastered]"), ("Queen", "Bohemian Rhapsody")),
    (("Metallica", "One (2x Bass Pedal)"), ("Metallica", "One")),
    (("Eminem", "Lose Yourself (Radio Edit) [Explicit]"), ("Eminem", "Lose Yourself")),
    (("Daft Punk feat. Pharrell Williams", "Get Lucky"), ("Daft Punk", "Get Lucky")),
    (("Santana", "Smooth (feat. Rob Thomas)"), ("Santana", "Smooth")),
    (("  Rush ", "Tom   Sawyer"), ("Rush", "Tom Sawyer")),
    (("X Japan", "紅"), ("x japan", "紅")),
]

OTHER_SONGS = [
    (("Nirvana", "Lake of Fire (Live)"), ("Nirvana", "Lake of Fire")),
    (("Nirvana", "About a Girl (Acoustic)"), ("Nirvana", "About a Girl")),
    (("Linkin Park", "Numb (Remix)"), ("Linkin Park", "Numb")),
    (("Queen", "Bohemian Rhapsody"), ("Queen", "Killer Queen")),
    (("Queen", "One Vision"), ("Metallica", "One Vision")),
    (("Weezer", "Buddy Holly"), ("Weezer", "Buddy Holly 2")),
]


@pytest.mark.parametrize(("first", "second"), SAME_SONG)
def test_near_duplicates_share_a_key(first, second) -> None:
    assert title_key(*first) is not None
    assert title_key(*first) == title_key(*second)


@pytest.mark.parametrize(("first", "second"), OTHER_SONGS)
def test_other_recordings_and_other_songs_do_not(first, second) -> None:
    assert title_key(*first) != title_key(*second)


@pytest.mark.parametrize(("artist", "title"), [
    ("", "Song"), ("Artist", ""), (None, None), ("Unknown Artist", "Song"),
    ("Artist", "Unknown Song"), ("!!!", "???"),
])
def test_a_song_without_artist_or_title_has_no_key(artist, title) -> None:
    assert title_key(artist, title) is None


def test_a_title_that_is_only_a_qualifier_keeps_it() -> None:
    assert title_key("Band", "(Remastered)") == title_key("band", "remastered")


def test_the_key_keeps_artist_and_title_apart() -> None:
    assert title_key("A B", "C") != title_key("A", "B C")


def test_typographic_dashes_and_apostrophes_read_as_plain_ones() -> None:
    assert title_key("Queen", "Don\u2019t Stop Me Now \u2013 Remastered 2011") == \
        title_key("Queen", "Don't Stop Me Now")


def _version(song: str, group: str, day: int) -> Version:
    return Version(song, group, datetime(2026, 1, day, tzinfo=UTC))


LIBRARY = [_version("a1", "a", 1), _version("a2", "a", 3), _version("a3", "a", 2),
           _version("b1", "b", 5), _version("c1", "c", 1), _version("c2", "c", 9)]


def test_a_rig_gets_every_version_the_newest_or_the_chosen_one() -> None:
    assert versions_for_rig(LIBRARY, "every") == {"a1", "a2", "a3", "b1", "c1", "c2"}
    assert versions_for_rig(LIBRARY, "newest") == {"a2", "b1", "c2"}
    assert versions_for_rig(LIBRARY, "chosen", {"a1"}) == {"a1", "b1", "c2"}


def test_a_choice_outside_the_selection_falls_back_to_the_newest() -> None:
    assert versions_for_rig(LIBRARY[:3], "chosen", {"c1"}) == {"a2"}
