"""Setlists through the running stack: a setlist made through the gateway's API lands as a
`.setlist` file in the content folder's Setlists folder (what every rig receives), follows a
rename, drops a deleted song, and leaves when the setlist is deleted."""

from __future__ import annotations

import hashlib

import httpx

from tests.support import syncthing as st
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
SETTLE = 90


def published_songs(stack, token: str, corpus, unique: str) -> dict[str, bytes]:
    """Two published songs with charts of their own: song id → raw chart bytes."""
    files, charts = {}, {}
    for n in range(2):
        song = song_files(corpus / AMAZING, f"{unique}-{n}")
        song["notes.chart"] += b"\r\n" * n
        files.update({f"Sync set {unique} {n}/{name}": data for name, data in song.items()})
        charts[f"Sync set {unique} {n}"] = song["notes.chart"]
    details = wait_for_upload(stack, upload(stack, token, zip_bytes(files), "sync-set.zip"))
    assert [s["stage"] for s in details["songs"]] == ["published"] * 2, details
    return {s["song_id"]: charts[s["folder"].rsplit("/", 1)[-1]] for s in details["songs"]}


def setlist_of(*charts: bytes) -> bytes:
    return b"\xea\xec\x33\x01" + len(charts).to_bytes(4, "little") + b"".join(
        b"\x20" + hashlib.md5(c).hexdigest().upper().encode() + b"\x64\x00" for c in charts)


def test_a_setlist_reaches_the_setlists_folder_and_follows_its_changes(stack, admin_token,
                                                                       corpus, unique):
    api = httpx.Client(base_url=stack.gateway_url, timeout=60,
                       headers={"Authorization": f"Bearer {admin_token}"})
    songs = published_songs(stack, admin_token, corpus, unique)
    first, second = songs
    made = api.post("/api/setlists", json={"name": f"Stage {unique}",
                                           "song_ids": [second, first]}).json()
    folder = stack.content_dir / "setlists"

    def holds(name: str, data: bytes | None) -> bool:
        path = folder / name
        return (not path.exists()) if data is None else (
            path.is_file() and path.read_bytes() == data)

    st.wait_until(lambda: holds(f"Stage {unique}.setlist",
                                setlist_of(songs[second], songs[first])),
                  timeout=SETTLE, what="the setlist file")

    api.patch(f"/api/setlists/{made['id']}", json={"name": f"Encore {unique}"})
    st.wait_until(lambda: holds(f"Encore {unique}.setlist",
                                setlist_of(songs[second], songs[first]))
                  and holds(f"Stage {unique}.setlist", None),
                  timeout=SETTLE, what="the renamed setlist file")

    assert api.delete(f"/api/songs/{second}").status_code == 202
    st.wait_until(lambda: holds(f"Encore {unique}.setlist", setlist_of(songs[first])),
                  timeout=SETTLE, what="the deleted song to leave the setlist file")

    api.delete(f"/api/setlists/{made['id']}")
    st.wait_until(lambda: holds(f"Encore {unique}.setlist", None), timeout=SETTLE,
                  what="the deleted setlist's file to go")
