"""The enrichment service of UK TV Guide."""
