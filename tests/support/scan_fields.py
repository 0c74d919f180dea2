"""The fields a scan is compared on with the reference scanner (scan-chart), field by field."""

from __future__ import annotations

SCALARS = ("name", "artist", "album", "genre", "year", "charter", "song_length", "md5",
           "chartHash", "playable", "albumArtMd5", "hasVideoBackground")
NOTES_FIELDS = ("instruments", "drumType", "hasSoloSections", "hasLyrics", "hasVocals",
                "hasForcedNotes", "hasTapNotes", "hasOpenNotes", "has2xKick", "hasFlexLanes",
                "noteCounts", "maxNps", "trackHashes", "tempoMapHash", "tempoMarkerCount",
                "effectiveLength", "chartIssues")


def field_pairs(record: dict, ours: dict):
    """(field, ours, reference) for every compared field of one folder."""
    for key in SCALARS:
        yield key, ours[key], record[key]
    yield "folderIssues", ours["folderIssues"], record["folderIssues"]
    yield ("folderIssueCodes", [i["folderIssue"] for i in ours["folderIssues"]],
           [i["folderIssue"] for i in record["folderIssues"]])
    yield "metadataIssues", ours["metadataIssues"], record["metadataIssues"]
    for key, value in record["metadata"].items():
        yield f"metadata.{key}", ours["metadata"].get(key), value
    yield "notesData", ours["notesData"] is None, record["notesData"] is None
    if ours["notesData"] and record["notesData"]:
        for key in NOTES_FIELDS:
            yield key, ours["notesData"][key], record["notesData"][key]
