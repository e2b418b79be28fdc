"""QR codes of survey links for live mode: the facilitator shows one, the room scans it.

Drawn with segno as a self-contained SVG (no network, no image files).
"""

from __future__ import annotations

import functools
import io

import segno


# A live dashboard draws the same code every few seconds: drawing it took about 10 ms.
@functools.lru_cache(maxsize=32)
def qr_svg(url: str, *, scale: int = 8, dark: str = "#111111", light: str = "#ffffff") -> str:
    """The QR code of ``url`` as an SVG document (error correction M, a 4-module quiet zone).

    Parameters
    ----------
    url : the text to encode (the campaign's survey link)
    scale : pixels per module
    dark, light : colours of the modules and the background (dark on light scans best)

    Raises
    ------
    ValueError
        For an empty link.
    """
    if not url or not url.strip():
        raise ValueError("a QR code needs a link; got an empty one")
    code = segno.make(url.strip(), error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, border=4, dark=dark, light=light, xmldecl=False)
    return buffer.getvalue().decode("utf-8")
