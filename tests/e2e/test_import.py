"""`chhub import` brings a whole Songs folder over HTTP, sends only what is new, survives an
interruption, and `--dry-run` changes nothing; it shows its progress as it goes, ends with a
summary whose figures match what the server received, and the home page shows the run."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

SUMMARY = re.compile(r"Done: (\d+) new, (\d+) already in the library, (\d+) failed\. Sent "
                     r"(\d+) songs, (\d+) bytes \([\d.]+ MiB\) in ([\d.]+) s \(\S+\): "
                     r"([\d.]+) songs/s, ([\d.]+) MiB/s\. Import run ([0-9a-f]{32})\.")
PROGRESS = re.compile(r"^(Sending|Adding): (\d+)/(\d+) songs, ([\d.]+|\?) songs/s, "
                      r"(?:([\d.]+) MiB sent \(([\d.]+|\?) MiB/s\), )?ETA (\S+), (\d+) failed$")
ACTIVITY = re.compile(r'data-import-run="([0-9a-f]{32})">.*?<span class="songs-done">(\d+)</span>'
                      r' of <span class="songs-total">(\d+)</span>', re.S)


@dataclass(frozen=True)
class Summary:
    new: int
    known: int
    failed: int
    songs_sent: int
    bytes_sent: int
    elapsed: float
    songs_per_second: float
    mib_per_second: float
    run: str


def command(stack, token, path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", "import", str(path), "--server",
            stack.gateway_url, "--token", token, *extra]


def run_import(stack, token, path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(command(stack, token, path, *extra), env=stack.env, cwd=stack.workdir,
                          capture_output=True, text=True, timeout=900)


def summary(result) -> Summary:
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout + result.stderr
    new, known, failed, songs, sent, elapsed, song_rate, byte_rate, run = match.groups()
    return Summary(int(new), int(known), int(failed), int(songs), int(sent), float(elapsed),
                   float(song_rate), float(byte_rate), run)


def progress_lines(result, stage: str) -> list[tuple[int, int, float | None, int]]:
    """(songs done, songs total, MiB sent, failures so far) of each `stage` line."""
    found = [PROGRESS.match(line) for line in result.stdout.splitlines()]
    return [(int(m[2]), int(m[3]), float(m[5]) if m[5] else None, int(m[8]))
            for m in found if m and m[1] == stage]


def failures(result) -> list[str]:
    return sorted(line for line in result.stdout.splitlines() if "FAILED" in line)


def song_count(catalog) -> int:
    with catalog.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM songs")).scalar()


def import_watching_the_home_page(stack, token, path, output: Path) -> tuple[
        subprocess.CompletedProcess, list[tuple[str, int, int]]]:
    """Run an import (a progress line per song, into `output`) while reading the home page's
    part that shows what is in progress; the import's output and each (run, songs done,
    total) seen, with one ("after", 0, 0) for each import the home page still shows after."""
    with output.open("w") as written:
        process = subprocess.Popen(command(stack, token, path, "--progress-every", "0"),
                                   env=stack.env, cwd=stack.workdir, stdout=written,
                                   stderr=subprocess.STDOUT, text=True)
        seen = []
        with httpx.Client(base_url=stack.gateway_url, timeout=30) as home:
            while process.poll() is None:
                seen += [(run, int(done), int(total))
                         for run, done, total in ACTIVITY.findall(home.get("/activity").text)]
                time.sleep(0.2)
            after = home.get("/").text
    finished = subprocess.CompletedProcess(process.args, process.returncode,
                                           output.read_text(), "")
    return finished, [*seen, *[("after", 0, 0) for _ in ACTIVITY.findall(after)]]


def run_figures(catalog, run: str) -> tuple[int, int, int]:
    """Uploads the server received for `run`, their bytes, and the songs the run said it sends."""
    with catalog.connect() as connection:
        return tuple(connection.execute(text(
            "SELECT count(*), coalesce(sum(size), 0), max(import_songs) FROM uploads "
            "WHERE import_run = :run"), {"run": run}).one())


def folder_uploads(catalog, run: str) -> int:
    """Uploads of `run` stored as loose files (one object per file) rather than one object."""
    with catalog.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM uploads WHERE import_run = :run AND is_folder"),
            {"run": run}).scalar()


@pytest.mark.timeout(600)  # three imports of the whole corpus
def test_the_whole_corpus_imports_and_a_second_run_sends_nothing_new(stack, admin_token,
                                                                      corpus, catalog, tmp_path):
    before = song_count(catalog)
    dry = run_import(stack, admin_token, corpus, "--dry-run")
    assert "Nothing was sent" in dry.stdout, dry.stdout + dry.stderr
    assert song_count(catalog) == before

    first, home_page = import_watching_the_home_page(stack, admin_token, corpus,
                                                     tmp_path / "import.out")
    done = summary(first)
    assert done.new > 50 and done.failed > 0
    assert song_count(catalog) == before + done.new
    assert any("song.ini but no notes.chart" in line for line in failures(first))
    assert len(failures(first)) == done.failed

    uploads, received, planned = run_figures(catalog, done.run)
    assert done.bytes_sent == received, "the bytes it says it sent are the bytes received"
    assert folder_uploads(catalog, done.run) == 0, "each song folder arrives as one object"
    assert done.songs_sent == planned and uploads > 50
    assert done.songs_per_second == pytest.approx(done.songs_sent / done.elapsed, rel=0.02)
    assert done.mib_per_second == pytest.approx(done.bytes_sent / 2**20 / done.elapsed,
                                                rel=0.02, abs=0.01)

    sending, adding = progress_lines(first, "Sending"), progress_lines(first, "Adding")
    assert len(sending) == uploads and len(adding) == uploads
    assert [line[0] for line in sending] == sorted(line[0] for line in sending)
    assert {line[1] for line in sending} == {done.songs_sent} == {sending[-1][0]}
    assert sending[-1][2] == round(done.bytes_sent / 2**20, 1)
    assert [line[3] for line in adding] == sorted(line[3] for line in adding)
    assert adding[-1][3] == done.failed, "the failures counted as it goes are the summary's"

    runs = {run for run, _, _ in home_page}
    assert runs == {done.run}, "the home page showed the run while it went, and not after"
    assert {total for _, _, total in home_page} == {planned}
    assert [d for _, d, _ in home_page] == sorted(d for _, d, _ in home_page)

    second = run_import(stack, admin_token, corpus)
    again = summary(second)
    assert again.new == 0
    assert again.known == done.new + done.known
    assert failures(second) == failures(first)
    assert song_count(catalog) == before + done.new
    assert again.bytes_sent < 2**20, "only the folders that failed are sent again"


def test_an_interrupted_import_completes_when_run_again(stack, admin_token, corpus, catalog,
                                                        tmp_path, unique):
    library = tmp_path / "Songs"
    source = corpus / "donnaken15-charts"
    for folder in sorted(p for p in source.iterdir() if p.is_dir())[:12]:
        copy = shutil.copytree(folder, library / folder.name)
        for nested in [copy, *[p for p in copy.rglob("*") if p.is_dir()]]:
            (nested / f"import-{unique}.txt").write_text(unique)
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "import", str(library), "--server",
         stack.gateway_url, "--token", admin_token], env=stack.env, cwd=stack.workdir,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    with catalog.connect() as connection:
        while time.monotonic() < deadline:
            sent = connection.execute(text("SELECT count(*) FROM uploads WHERE filename LIKE "
                                           "'%' || :u || '%' OR created_at > now() - interval "
                                           "'2 seconds'"), {"u": unique}).scalar()
            if sent >= 3:
                break
            time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    again = run_import(stack, admin_token, library)
    final = run_import(stack, admin_token, library)
    assert summary(final).new == 0
    assert summary(final).known == summary(again).new + summary(again).known
    assert summary(final).failed == summary(again).failed
