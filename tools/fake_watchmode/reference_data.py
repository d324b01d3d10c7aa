"""Watchmode's GB sources and genres as the real API returned them (see shared/watchmode.md)."""

GB_SOURCES: list[tuple[int, str, str]] = [
    (17, "Acorn TV", "sub"), (18, "Acorn TV (Via Amazon Prime)", "sub"), (24, "Amazon", "purchase"),
    (26, "Prime Video", "sub"), (79, "Crunchyroll", "free"), (80, "Crunchyroll Premium", "sub"),
    (81, "Curiosity Stream (Via Amazon Prime)", "sub"), (126, "Fandor (Via Amazon Prime)", "sub"),
    (140, "Google Play", "purchase"), (181, "MUBI", "sub"), (203, "Netflix", "sub"),
    (234, "STARZ (Via Amazon Prime)", "sub"), (247, "Shout! Factory TV (Via Amazon Prime)", "sub"),
    (252, "Shudder", "sub"), (253, "Shudder (Via Amazon Prime)", "sub"),
    (269, "SundanceNow Doc Club (Via Amazon Prime)", "sub"), (296, "Tubi TV", "free"),
    (318, "WWE Network", "sub"), (344, "YouTube", "purchase"), (349, "AppleTV", "purchase"),
    (365, "Amazon Freevee", "free"), (369, "Youtube Premium", "free"), (371, "AppleTV+", "sub"),
    (372, "Disney+", "sub"), (376, "Britbox", "sub"), (377, "Britbox (Via Amazon Prime)", "sub"),
    (391, "Pluto TV", "free"), (392, "Hayu", "sub"), (398, "Windows Store", "purchase"),
    (401, "GuideDoc", "sub"), (406, "Now TV", "sub"), (407, "All 4", "free"), (408, "Sky Go", "sub"),
    (409, "BBC iPlayer", "free"), (410, "BFI Player", "sub"), (411, "Sky Store", "purchase"),
    (412, "Curzon Home Cinema", "purchase"), (413, "ITVX", "sub"), (415, "Talk Talk TV", "purchase"),
    (416, "UKTV Play", "free"), (417, "Rakuten TV", "purchase"), (418, "5", "free"),
    (421, "Curiosity Stream", "sub"), (422, "Flix Premiere", "sub"), (441, "Chili", "purchase"),
    (444, "Paramount+", "sub"), (445, "Discovery+", "sub"), (446, "Virgin TV GO", "sub"),
    (463, "Plex", "purchase"),
]

GENRES: list[tuple[int, str, int | None]] = [
    (1, "Action", 28), (2, "Adventure", 12), (3, "Animation", 16), (4, "Comedy", 35), (5, "Crime", 80),
    (6, "Documentary", 99), (7, "Drama", 18), (8, "Family", 10751), (9, "Fantasy", 14),
    (10, "History", 36), (11, "Horror", 27), (12, "Music", 10402), (13, "Mystery", 9648),
    (14, "Romance", 10749), (15, "Science Fiction", 878), (17, "Thriller", 53), (18, "War", 10752),
    (19, "Western", 37), (21, "Kids", 10762), (22, "News", 10763), (23, "Reality", 10764),
    (25, "Soap", 10766), (26, "Talk", 10767), (28, "Game Show", None), (29, "Sports", None),
    (30, "Adult", None), (31, "Biography", None), (32, "Musical", None), (33, "Anime", None),
    (34, "Food", None), (35, "Travel", None), (36, "Nature", None), (37, "Supernatural", None),
    (38, "TV Movie", 10770), (39, "Action & Adventure", 10759), (40, "Sci-Fi & Fantasy", 10765),
    (41, "War & Politics", 10768),
]

# How widely each source carries the catalogue (relative weight); unlisted sources weigh 1.
SOURCE_WEIGHTS: dict[int, float] = {
    203: 14, 26: 12, 24: 10, 349: 9, 140: 8, 411: 6, 372: 6, 406: 7, 408: 5, 409: 7, 413: 6,
    407: 5, 371: 3, 444: 4, 376: 3, 296: 4, 365: 3, 344: 6, 417: 4, 441: 2, 446: 3, 416: 3, 418: 2,
    181: 2, 252: 1.5, 445: 2, 392: 1.5, 80: 1.5, 79: 1.5,
}
