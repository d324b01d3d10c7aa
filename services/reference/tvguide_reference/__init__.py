"""The reference service of UK TV Guide."""
