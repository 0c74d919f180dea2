"""Python source read as a syntax tree, for tests that check the code's own structure."""

from __future__ import annotations

import ast
import sys


def syntax_tree(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse`, with room to recurse: CPython 3.11 reports a recursion error met while
    building a deep tree as "AST constructor recursion depth mismatch" (gh-106905), which deep
    test stacks can reach."""
    try:
        return ast.parse(source, filename)
    except SystemError:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit * 4)
        try:
            return ast.parse(source, filename)
        finally:
            sys.setrecursionlimit(limit)
