"""Which format a request body is in, and which one the client wants back (content negotiation).

`BomlessRequest` is the app's request class: it drops a UTF-8 byte order mark before a body, so a
file saved by a Windows tool reads the same in every endpoint as it does without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from litestar import Request
from litestar.exceptions import SerializationException, ValidationException

from api.errors import NotAcceptableError, UnsupportedMediaTypeError
from estimator.batch import OutputFormat
from estimator.jsondecode import BOM, clearer, out_of_range_message

MEDIA_FORMATS: dict[str, OutputFormat] = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
}


class BomlessRequest(Request[Any, Any, Any]):
    """A request whose body never starts with a byte order mark (RFC 8259 §8.1 lets a reader ignore one).

    Every way of reading the body (`json()`, a handler's `data`, a raw `body`) goes through `body()`,
    which keeps the bytes read on the connection's state; the mark is dropped there once.
    """

    async def body(self) -> bytes:
        body = await super().body()
        if body.startswith(BOM):
            body = self._body = self._connection_state.body = body.removeprefix(BOM)
        return body

    async def json(self) -> Any:
        """The body as JSON; a number too big to read (`1e400`) is a 400 naming where it is."""
        try:
            return await super().json()
        except SerializationException as exc:
            better, where = clearer(str(exc.detail), await self.body())
            if where is not None:
                message = out_of_range_message(where)
                key = where.removeprefix("$").removeprefix(".")
                raise ValidationException(detail=message, extra=[{"key": key, "message": message}]) from None
            if better == str(exc.detail):
                raise
            raise SerializationException(detail=better) from None


def body_format(request: Request) -> OutputFormat:  # type: ignore[type-arg]  # any Request
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    try:
        return MEDIA_FORMATS[media]
    except KeyError:
        known = ", ".join(sorted(MEDIA_FORMATS))
        raise UnsupportedMediaTypeError(f"cannot read `{media}`; send one of: {known}", field="content-type") from None


def wanted_format(request: Request, *, default: OutputFormat) -> OutputFormat:  # type: ignore[type-arg]
    """The first format in `Accept` that we can write (by q-value, then order); the body's by default."""
    return _negotiate(request, MEDIA_FORMATS, default=default)


ImageFormat = Literal["png", "svg"]
IMAGE_FORMATS: dict[str, ImageFormat] = {"image/png": "png", "image/svg+xml": "svg"}


def image_format(request: Request, asked: ImageFormat | None) -> ImageFormat:  # type: ignore[type-arg]
    """A chart's format: `?format=` when given, else the first image type `Accept` wants (q-value
    order), PNG for `*/*`, `image/*` or no `Accept`; 406 when `Accept` wants no image we draw."""
    if asked is not None:
        return asked
    return _negotiate(
        request,
        IMAGE_FORMATS,
        default="png",
        refusal="a chart is an image: ",
        hint=" (or use `?format=`)",
    )


Chosen = TypeVar("Chosen", bound=str)


def _negotiate(
    request: Request,  # type: ignore[type-arg]  # any Request
    formats: Mapping[str, Chosen],
    *,
    default: Chosen,
    refusal: str = "",
    hint: str = "",
) -> Chosen:
    """The first of `formats` that `Accept` wants (q-value order); for no `Accept`, `default`; for
    `*/*`, or a range such as `text/*` or `application/*`, `default` if it is in the range or else the
    first of `formats` in it that `Accept` does not refuse (q=0); a 406 naming what we write when
    `Accept` wants none of it."""
    accept = header_list(request, "accept")
    weighted = weighed(accept)
    if not weighted:
        return default  # no Accept, or nothing but empty list elements
    refused = {value for value, quality in weighted if quality == 0}

    def named_or_ranged(media: str) -> bool:  # refused by name, or by a range that holds it (`text/*;q=0`)
        return bool({media, media.split("/")[0] + "/*"} & refused)

    # A format is refused when any name of it is: `application/ndjson` and `application/x-ndjson` are one
    # answer, so refusing either refuses both.
    refused_formats = {formats[m] for m in formats if named_or_ranged(m)}

    def is_refused(media: str) -> bool:
        return formats[media] in refused_formats

    for media in (value for value, quality in weighted if quality > 0):
        if media.endswith("/*"):
            # Any type of the range will do, except those refused: ours in order, the default first.
            in_range = [m for m in formats if media == "*/*" or m.startswith(media[:-1])]
            candidates = sorted(in_range, key=lambda m: formats[m] != default)
            chosen = next((formats[m] for m in candidates if not is_refused(m)), None)
            if chosen is not None:
                return chosen
        elif media in formats:
            return formats[media]
    known = ", ".join(sorted(formats))
    shown = accept if len(accept) <= 120 else accept[:117] + "..."  # the header echoed, not a 10 kB one
    raise NotAcceptableError(f"{refusal}cannot answer in `{shown}`; accept one of: {known}{hint}", field="accept")


def header_list(request: Request, name: str) -> str:  # type: ignore[type-arg]  # any Request
    """A list-valued header as one list: repeated headers are joined (RFC 9110 §5.3)."""
    return ",".join(request.headers.getall(name, []))


def language_of(request: Request) -> Literal["en", "zh"]:  # type: ignore[type-arg]  # any Request
    """Chinese when `Accept-Language` prefers it over English (by q-value, then order), else English."""
    for tag in preferred(header_list(request, "accept-language")):
        primary = tag.split("-")[0]  # `zh-CN` is Chinese; `zha` (Zhuang) is not
        if primary in ("zh", "en"):
            return primary  # type: ignore[return-value]  # one of the two, checked above
    return "en"


def preferred(header: str) -> list[str]:
    """The values of an `Accept`-style header that it wants, most wanted first (q-value, then order)."""
    return [value for value, quality in weighed(header) if quality > 0]


def weighed(header: str) -> list[tuple[str, float]]:
    """Every (value, q-value) of an `Accept`-style header, most wanted first, the refused (q=0) last.

    A malformed weight, or one outside 0-1, counts as a refusal, as RFC 9110 would refuse it; empty
    list elements (`a,,b`, a trailing comma) are skipped, as RFC 9110 §5.6.1 requires of a recipient.
    """
    ranked = []
    for position, part in enumerate(header.split(",")):
        value, *params = (p.strip().lower() for p in part.split(";"))
        if not value:
            continue
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:  # also NaN
                    quality = 0.0
        ranked.append((-quality, position, value))
    return [(value, -negative) for negative, _, value in sorted(ranked)]
