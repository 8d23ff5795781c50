"""Domain errors: what can go wrong in the estimator, independent of how it is reported.

The API maps each class to one HTTP status in exactly one place (`api/errors.py`); nothing here
knows about HTTP. Every error names the input it is about, as a dotted path from the request root
(`claim_amount`, `payments[2].date`), so a client can point at the bad field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

import msgspec

_BACKTICKED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
_ENUM_VALUE = re.compile(r"Invalid enum value '([^']*)'")
# A number or boolean where a choice of text is due: `"law_version": 2020` for "2020".
_NOT_TEXT = re.compile(r"Expected `str(?: \| null)?`, got `(?:int|float|bool)`")


def literal_choices(structs: Iterable[type[msgspec.Struct]]) -> dict[str, tuple[str, ...]]:
    """The values allowed in each field whose type is a set of literals (`work_type`: `film`, ...)."""
    choices: dict[str, set[str]] = {}
    for struct in structs:
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            kind = _bare(field.type)
            for one in kind.types if isinstance(kind, msgspec.inspect.UnionType) else (kind,):
                if isinstance(bare := _bare(one), msgspec.inspect.LiteralType):
                    choices.setdefault(field.name, set()).update(str(v) for v in bare.values)
    return {name: tuple(sorted(values)) for name, values in choices.items()}


def _bare(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """A type without its `Annotated[..., Meta(...)]` wrappers."""
    while isinstance(kind, msgspec.inspect.Metadata):
        kind = kind.type
    return kind


def with_choices(message: str, field: str | None, choices: Mapping[str, Sequence[str]]) -> str:
    """msgspec's "Invalid enum value 'x'" with the values `field` allows and the one probably meant;
    a number or boolean given for such a field, with the values as the text they must be."""
    allowed = choices.get(re.split(r"[.\[\]]+", field or "")[-1] or "")
    if "; one of: " in message:  # said already, where the error was raised
        return message
    if allowed and _NOT_TEXT.search(message):
        quoted = ", ".join(f'"{value}"' for value in allowed)
        return f"{message}; one of: {quoted}, as text in quotes"
    match = _ENUM_VALUE.search(message)
    if not match or not allowed:
        return message
    close = difflib.get_close_matches(match.group(1).strip().lower(), allowed, n=1, cutoff=0.6)
    meant = f" (did you mean `{close[0]}`?)" if close else ""
    return f"{message}{meant}; one of: {', '.join(allowed)}"


def field_named_in(message: str) -> str | None:
    """The field a cross-field rule's message points at: the first name in backticks.

    Rules that relate two fields (`__post_init__`) fail at the record's root, so the path says
    nothing; their messages name the fields ("`claimed_economic_loss` (100) exceeds `claimed_total`
    (50)"). msgspec's own messages ("Expected `object`, got `array`") name types, not fields.
    """
    if message.startswith(("Expected", "Object", "Invalid enum value")):  # types, or a value and the one meant
        return None
    named = _BACKTICKED.search(message)
    return named.group(1) if named else None


class EstimatorError(Exception):
    """Base of every error the domain raises on purpose."""

    title = "Estimator error"
    # The kind of problem, as a stable slug; the API turns it into a problem-details `type`.
    slug = "estimator-error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInputError(EstimatorError, ValueError):
    """An argument has a value that no rule accepts (negative amount, end before start)."""

    title = "Invalid input"
    slug = "invalid-input"


class OutsideLawError(EstimatorError):
    """Well-formed input that the law (or this product's coverage of it) does not reach.

    For example an infringing act before the first Copyright Law with statutory damages, or a
    punitive multiplier asked for on a statutory award.
    """

    title = "Outside the law covered"
    slug = "outside-law"


class CalibrationError(EstimatorError):
    """A model could not be fitted from the records given."""

    title = "Calibration failed"
    slug = "calibration-failed"


class DegenerateDataError(CalibrationError):
    """Too few usable records, or no variation where the model needs some."""

    title = "Degenerate calibration data"


class ConvergenceError(CalibrationError):
    """The optimiser did not converge; the message says why."""

    title = "Calibration did not converge"


class ModelNotFittedError(EstimatorError):
    """A prediction was asked of a model that has not been fitted or loaded."""

    title = "No model loaded"
    slug = "no-model"


def problem_of(error: EstimatorError, *, row: int | None = None) -> dict[str, object]:
    """A problem-details object (RFC 9457, without the HTTP status) for errors outside a request.

    Used where one row of a batch fails; the API adds the status in `api/errors.py`. `row`: the
    index of the row the error was found in, for an error that names its field from the row's root
    (the law's rules do), so that it points into the input as a parse error does (`[3].royalty`).
    """
    field, message = error.field, error.message
    if row is not None:
        field = f"[{row}]" + (f".{field}" if field else "")
        message = f"row {row}: {message}"
    return {
        "type": "/problems/" + error.slug,
        "title": error.title,
        "detail": message,
        "errors": [{"path": json_path(field), "field": field, "message": message}],
    }


def json_path(field: str | None) -> str:
    """The JSONPath of a field named from the root: `$`, `$.claim`, `$[3].claim`."""
    if not field:
        return "$"
    return "$" + field if field.startswith("[") else "$." + field
