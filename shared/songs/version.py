"""The parser's version: it grows whenever the parser learns something that changes what it
reports, so that `chhub reindex` knows which songs to read again."""

PARSER_VERSION = 1
