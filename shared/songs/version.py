"""The parser's version: it grows whenever the parser learns something that changes what it
reports, so that `chhub reindex` knows which songs to read again."""

PARSER_VERSION = 2  # 2: scan-chart 8.0.1 (note types from 1, .mid section names, end events)
