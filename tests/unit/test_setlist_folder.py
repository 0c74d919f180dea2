"""The Setlists folder of the content folder: one `<name>.setlist` per setlist, names every
file system takes and never collide, files rewritten only when their bytes change, and files
of setlists that are gone removed."""

from __future__ import annotations

import uuid

import pytest

from services.sync.setlist_folder import SetlistFolder, file_names, file_stem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("name", "stem"), [
    ("Friday night", "Friday night"),
    ('AC/DC: "Best" <of>?', "AC DC   Best   of"),
    ("...", "Setlist"),
    ("  ", "Setlist"),
])
def test_a_name_becomes_a_safe_file_stem(name, stem):
    assert file_stem(name) == stem


def test_setlists_with_the_same_name_ignoring_case_keep_a_file_each():
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    names = file_names([(a, "Gig"), (b, "gig"), (c, "Gig")])

    assert names == {a: "Gig.setlist", b: "gig (2).setlist", c: "Gig (3).setlist"}


def test_rewrite_writes_changes_leaves_the_same_bytes_and_removes_the_rest(tmp_path):
    folder = SetlistFolder(tmp_path)
    assert folder.rewrite({"A.setlist": b"one", "B.setlist": b"two"}) == [
        "setlists/A.setlist", "setlists/B.setlist"]
    (tmp_path / "setlists" / "notes.txt").write_text("not ours")

    changed = folder.rewrite({"A.setlist": b"one", "C.setlist": b"three"})

    assert changed == ["setlists/C.setlist", "setlists/B.setlist"]
    assert folder.files() == {"A.setlist": b"one", "C.setlist": b"three"}
    assert (tmp_path / "setlists" / "notes.txt").exists()
    assert folder.rewrite({"A.setlist": b"one", "C.setlist": b"three"}) == []
    assert list((tmp_path / ".chhub" / "incoming").iterdir()) == []
