"""Shared library of UK TV Guide, built into the one Lambda layer every function uses."""
