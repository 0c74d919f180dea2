"""Which objects of the songs bucket are garbage: the manifests the catalog and the pipeline
still refer to, and, given every reference and the objects listed with their ages, the ones
that are old enough and referenced by nothing (pure: no I/O)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import timedelta

from shared.persistence.stored_references import CatalogReferences

_BLOB = re.compile(r"blobs/([0-9a-f]{2})/(\1[0-9a-f]{62})")
_MANIFEST = re.compile(r"manifests/([0-9a-f-]{36})/(\d{6})\.json")


@dataclass(frozen=True)
class AgedObject:
    key: str
    size: int
    age: timedelta
    """How long before the references were read the object was last written or touched."""

    @property
    def is_manifest(self) -> bool:
        return self.key.startswith("manifests/")


def manifest_of(key: str) -> tuple[uuid.UUID, int] | None:
    """The song and revision a manifest key names; None for any other key."""
    match = _MANIFEST.fullmatch(key)
    if match is None:
        return None
    try:
        return uuid.UUID(match[1]), int(match[2])
    except ValueError:
        return None


def is_collectable_key(key: str) -> bool:
    """Only file blobs and manifests are ever collected; other keys are not ours to judge."""
    return _BLOB.fullmatch(key) is not None or manifest_of(key) is not None


def referenced_manifests(catalog: CatalogReferences, stored: Iterable[str]) -> set[str]:
    """The manifests still needed, among those `stored` and those the catalog names.

    A cataloged revision's manifest, and any later one (an edit on its way through the
    pipeline); every manifest of a song whose upload is under way; and those of a song that
    is not in the catalog while its upload's original is kept (a failed song, which a retried
    message may still publish). A deleted song's manifests are needed by nothing.
    """
    needed = {key for _, key in catalog.live.values()}
    for key in stored:
        named = manifest_of(key)
        if named is None or named[0] in catalog.tombstoned:
            continue
        song_id, revision = named
        cataloged = catalog.live.get(song_id)
        if (song_id in catalog.in_flight
                or (cataloged is not None and revision > cataloged[0])
                or (cataloged is None and song_id in catalog.retained)):
            needed.add(key)
    return needed


def choose_garbage(referenced: Set[str], listed: Iterable[AgedObject],
                   window: timedelta) -> list[AgedObject]:
    """The listed objects to delete: blobs and manifests no reference names, older than
    `window`. A younger object is kept whatever refers to it: it may have been written (or
    reused) by a writer whose reference is not visible yet."""
    return [item for item in listed
            if item.key not in referenced and is_old_enough(item.age, window)
            and is_collectable_key(item.key)]


def is_old_enough(age: timedelta, window: timedelta) -> bool:
    return age > window
