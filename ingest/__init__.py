"""Corpus ingestion: files → documents → chunks → a new index version."""
