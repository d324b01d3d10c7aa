"""A local fake of the Watchmode API: same paths, parameters, shapes and errors over a seeded GB catalogue."""
