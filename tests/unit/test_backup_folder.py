"""The backup folder: snapshots a restore may pick, and the names they get."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.backup.layout import BackupFolder

NOW = datetime(2025, 6, 1, 3, 30, tzinfo=UTC)


def test_an_interrupted_backup_leaves_no_snapshot_a_restore_would_pick(tmp_path):
    folder = BackupFolder(tmp_path)
    name, staging = folder.start_snapshot(NOW)
    (staging / "catalog.dump").write_bytes(b"half a dump")
    assert folder.finished() == []
    with pytest.raises(FileNotFoundError):
        folder.snapshot()
    assert not (tmp_path / "snapshots" / name).exists()


def test_the_newest_finished_snapshot_is_restored_unless_another_is_named(tmp_path):
    folder = BackupFolder(tmp_path)
    older = folder.finish_snapshot(*folder.start_snapshot(NOW), {})
    newer = folder.finish_snapshot(*folder.start_snapshot(NOW.replace(hour=4)), {})
    assert folder.snapshot() == newer
    assert folder.snapshot(older.name) == older


def test_two_backups_in_the_same_second_keep_both_snapshots(tmp_path):
    folder = BackupFolder(tmp_path)
    first = folder.finish_snapshot(*folder.start_snapshot(NOW), {"n": 1})
    second = folder.finish_snapshot(*folder.start_snapshot(NOW), {"n": 2})
    assert first != second
    assert folder.finished() == [first.name, second.name]


def test_a_manifest_key_cannot_point_outside_the_folder(tmp_path):
    folder = BackupFolder(tmp_path)
    assert folder.manifest("manifests/abc/000001.json") == tmp_path / "manifests/abc/000001.json"
    with pytest.raises(ValueError):
        folder.manifest("manifests/../../etc/passwd")
