"""The viewer API of UK TV Guide: sources, genres, preferences, titles and recommendations."""
