"""Where the shared corpus of real chart folders lies: `shared/corpus` beside the repository
(or beside one of its parent folders, for a checkout nested deeper, such as a worktree)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _corpus_root() -> Path:
    for base in (ROOT.parent, *ROOT.parents):
        candidate = base / "shared" / "corpus"
        if (candidate / "charts").is_dir():
            return candidate
    return ROOT.parent / "shared" / "corpus"  # missing: the `corpus` fixture says so


CORPUS = _corpus_root()
CHARTS = CORPUS / "charts"
