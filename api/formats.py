"""Which format a request body is in, and which one the client wants back (content negotiation)."""

from __future__ import annotations

from typing import Literal

from litestar import Request

from api.errors import NotAcceptableError, UnsupportedMediaTypeError
from estimator.batch import OutputFormat

MEDIA_FORMATS: dict[str, OutputFormat] = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
}


def body_format(request: Request) -> OutputFormat:  # type: ignore[type-arg]  # any Request
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    try:
        return MEDIA_FORMATS[media]
    except KeyError:
        known = ", ".join(sorted(MEDIA_FORMATS))
        raise UnsupportedMediaTypeError(f"cannot read `{media}`; send one of: {known}", field="content-type") from None


def wanted_format(request: Request, *, default: OutputFormat) -> OutputFormat:  # type: ignore[type-arg]
    """The first format in `Accept` that we can write (by q order as listed); the body's by default."""
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return default
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip().lower() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media))
    for negative_quality, _, media in sorted(ranked):
        if negative_quality == 0:
            break
        if media in ("*/*", "application/*") or media == "":
            return default
        if media in MEDIA_FORMATS:
            return MEDIA_FORMATS[media]
    known = ", ".join(sorted(MEDIA_FORMATS))
    raise NotAcceptableError(f"cannot answer in `{accept}`; accept one of: {known}", field="accept")


def language_of(request: Request) -> Literal["en", "zh"]:  # type: ignore[type-arg]  # any Request
    """Chinese when `Accept-Language` prefers it over English (by q-value, then order), else English."""
    best: tuple[float, int, Literal["en", "zh"]] | None = None
    for order, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, *params = (piece.strip().lower() for piece in part.split(";"))
        language: Literal["en", "zh"] | None = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if language is None:
            continue
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0  # a malformed weight counts for nothing, as RFC 9110 would refuse it
        if quality > 0 and (best is None or (-quality, order) < (-best[0], best[1])):
            best = (quality, order, language)
    return best[2] if best is not None else "en"
    return "en"
