"""QR codes drawn inline as SVG (confirmation letters, event badges and agendas)."""

from __future__ import annotations

import io

from markupsafe import Markup


def qr_svg(data: str) -> Markup:
    """``data`` must be our own URL or token, never user-typed text: the SVG is trusted markup."""
    import qrcode  # noqa: PLC0415 - only letters and badges need it
    import qrcode.image.svg  # noqa: PLC0415

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    # the XML declaration dropped for inline use
    return Markup(svg[svg.index("<svg") :])
