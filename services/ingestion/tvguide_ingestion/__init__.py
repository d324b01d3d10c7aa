"""The ingestion service of UK TV Guide."""
