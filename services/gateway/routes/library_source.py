"""The pages' view of the catalog's library search (services.catalog.library)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.catalog.library import LibraryPage, library_totals, search_library
from services.catalog.library_query import LibraryQuery


def search(session: Session, query: LibraryQuery) -> LibraryPage:
    """One page of songs matching `query`, with their difficulty badges."""
    return search_library(session, query)


def totals(session: Session) -> dict:
    return library_totals(session)
