"""The search service: the library's search index in a process of its own."""
