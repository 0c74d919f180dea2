"""Chart generator: an audio file in, a playable, clearly auto-generated Clone Hero song out.

Pure core (analysis → charting → writing); librosa is imported only here, so the ingest service
starts without the `generator` extra installed.
"""
