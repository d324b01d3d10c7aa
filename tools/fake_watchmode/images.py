"""Posters and source logos the fake serves itself, so the site looks real offline."""

from __future__ import annotations


def poster_svg(title_id: int) -> bytes:
    hue = title_id % 360
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="342" height="513" viewBox="0 0 342 513">'
        f'<rect width="342" height="513" fill="hsl({hue},45%,35%)"/>'
        f'<text x="171" y="260" font-size="28" text-anchor="middle" fill="#fff">#{title_id}</text></svg>'
    ).encode()


def logo_svg(source_id: int) -> bytes:
    """A source's logo, served locally like posters (the real ones live on Watchmode's CDN)."""
    hue = (source_id * 47) % 360
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" rx="18" fill="hsl({hue},60%,40%)"/>'
        f'<text x="50" y="62" font-size="34" font-family="sans-serif" text-anchor="middle" fill="#fff">'
        f"{source_id}</text></svg>"
    ).encode()
