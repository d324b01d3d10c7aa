"""The consumer service of UK TV Guide."""
