"""Library search: the search box's syntax, keyset cursors and the catalog's search statements."""
