"""`chhub import` brings a whole Songs folder over HTTP, sends only what is new, survives an
interruption, and `--dry-run` changes nothing."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time

from sqlalchemy import text

SUMMARY = re.compile(r"Done: (\d+) new, (\d+) already in the library, (\d+) failed "
                     r"\(([\d.]+) MiB sent\)")


def run_import(stack, token, path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "import", str(path), "--server",
         stack.gateway_url, "--token", token, *extra],
        env=stack.env, cwd=stack.workdir, capture_output=True, text=True, timeout=900)


def summary(result) -> tuple[int, int, int, float]:
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout + result.stderr
    new, known, failed, sent = match.groups()
    return int(new), int(known), int(failed), float(sent)


def failures(result) -> list[str]:
    return sorted(line for line in result.stdout.splitlines() if "FAILED" in line)


def song_count(catalog) -> int:
    with catalog.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM songs")).scalar()


def test_the_whole_corpus_imports_and_a_second_run_sends_nothing_new(stack, admin_token,
                                                                      corpus, catalog):
    before = song_count(catalog)
    dry = run_import(stack, admin_token, corpus, "--dry-run")
    assert "Nothing was sent" in dry.stdout, dry.stdout + dry.stderr
    assert song_count(catalog) == before

    first = run_import(stack, admin_token, corpus)
    new, known, failed, _ = summary(first)
    assert new > 50 and failed > 0
    assert song_count(catalog) == before + new
    assert any("song.ini but no notes.chart" in line for line in failures(first))

    second = run_import(stack, admin_token, corpus)
    new_again, known_again, _, sent_again = summary(second)
    assert new_again == 0
    assert known_again == new + known
    assert failures(second) == failures(first)
    assert song_count(catalog) == before + new
    assert sent_again < 1.0, "only the folders that failed are sent again"


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
    new, known, failed, _ = summary(again)
    final = run_import(stack, admin_token, library)
    assert summary(final)[0] == 0
    assert summary(final)[1] == new + known
    assert summary(final)[2] == failed
