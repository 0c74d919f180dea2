"""The generator's one entry point: audio bytes in, the song folder's files (or a zip) out."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from . import audio, chart_writer
from .errors import GenerationError

MAX_SECONDS = 1200.0


def generate_folder(data: bytes, filename: str, requested: Mapping[str, str | None],
                    max_seconds: float = MAX_SECONDS) -> dict[str, bytes]:
    """notes.chart, song.ini and the audio of a song generated from `data` (named `filename`);
    `requested` metadata (name, artist, album, genre, year) wins over the file's tags.
    Raises GenerationError with a reason when the audio cannot become a song."""
    from .analysis import analyse
    from .charting import chart as make_chart
    from .compile_lock import first_use_serialised

    decoded = audio.decode(data, filename, max_seconds)
    with first_use_serialised():
        analysis = analyse(decoded.samples, decoded.rate)
    chart = make_chart(analysis)
    if not any(p.notes for p in chart.parts):
        raise GenerationError("No notes could be charted from this audio.")
    metadata = {**audio.read_tags(data), **{k: v for k, v in requested.items() if v}}
    metadata.setdefault("name", filename.rsplit(".", 1)[0])
    metadata.setdefault("artist", "Unknown Artist")
    audio_name, audio_bytes = audio.song_audio(data, filename)
    loudest = max(analysis.sections, key=lambda s: s.energy, default=None)
    preview_ms = round(loudest.time * 1000) if loudest else 0
    length_ms = round(decoded.duration * 1000)
    return {
        "notes.chart": chart_writer.notes_chart(chart, metadata, audio_name).encode(),
        "song.ini": chart_writer.song_ini(chart, metadata, length_ms, preview_ms).encode(),
        audio_name: audio_bytes,
    }


def folder_name(files: Mapping[str, bytes]) -> str:
    """"Artist - Name" from the generated song.ini, safe as a file name."""
    values = dict(line.split(" = ", 1) for line in files["song.ini"].decode().splitlines()[1:])
    name = f"{values.get('artist', 'Unknown Artist')} - {values.get('name', 'Song')}"
    return "".join(c if c.isalnum() or c in " -_.,()'&" else "_" for c in name).strip() or "Song"


def zipped(files: Mapping[str, bytes], folder: str) -> bytes:
    """A zip holding the song in one folder, as players upload songs."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}", content)
    return out.getvalue()
