"""The fitted award model: a frozen, versioned Struct of plain numbers, identified by its content hash.

It holds what prediction needs and nothing of the training data. Schema evolution follows msgspec's
rules: a new field gets a default; a change that old readers would misread bumps `SCHEMA_VERSION`,
and `load_model` refuses a version it does not know.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from pathlib import Path

import msgspec

from estimator.errors import InvalidInputError, ModelNotFittedError
from estimator.jsondecode import decode
from estimator.model.features import FeatureSpec

SCHEMA_VERSION = 1


class Prior(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The Gaussian prior of the fit, kept with the model so that its answers can be explained."""

    intercept_mean: float
    intercept_sd: float
    log_claim_mean: float
    log_claim_sd: float
    effect_sd: float
    log_sigma_mean: float
    log_sigma_sd: float
    reason: str
    # Prior sd of the audience slope per decade (factor of 10). None: `effect_sd`, as in models fitted
    # before it was set apart; omitted from the encoding then, so those models keep their content ids.
    audience_decade_sd: float | None = None


class ExpensesModel(msgspec.Struct, frozen=True, kw_only=True):
    """Share of claimed reasonable expenses that courts support (Beta-shrunk mean of observed shares)."""

    share: float
    share_sd: float
    n_records: int


class FeeSplitModel(msgspec.Struct, frozen=True, kw_only=True):
    """Defendant's share of the fee due as `ratio ** gamma`, with ratio = award / claim.

    gamma = 1 is the proportional rule; smaller gamma puts more of the fee on the defendant, as
    courts do in statutory-damages cases.
    """

    gamma: float
    gamma_sd: float
    n_records: int


class ClaimRule(msgspec.Struct, frozen=True, kw_only=True):
    """What the claim alone predicts, in log-normal form, fitted to the same awards as the regression.

    With a claim (read as the regression reads it): log award = `with_claim_mean` + `claim_slope` ×
    (log claim - the regression's centre), spread `with_claim_sd`; the slope is the regression's own,
    so that pooling leaves the claim's effect as fitted. Without a claim: log award =
    `without_claim_mean`, spread `without_claim_sd` (all the awards). A prediction averages the rule's
    and the regression's quantiles on the log scale, `weight` on the rule (`estimator.model.pooling`).
    """

    weight: float
    claim_slope: float
    with_claim_mean: float
    with_claim_sd: float
    without_claim_mean: float
    without_claim_sd: float
    # The mean of those awards' claims (log, centred as the regression reads them): `with_claim_mean`
    # moves with the slope by minus this much, which the pooled coefficients' covariance needs.
    mean_log_claim: float


class FittedModel(msgspec.Struct, frozen=True, kw_only=True):
    schema_version: int = SCHEMA_VERSION
    id: str = ""
    features: FeatureSpec
    coefficients: tuple[float, ...]
    # Laplace covariance of the coefficients (without log sigma), row-major.
    covariance: tuple[tuple[float, ...], ...]
    sigma: float
    sigma_sd_log: float
    # Multiplies the predictive standard deviation so that held-out 80% ranges cover 80%.
    interval_scale: float
    prior: Prior
    expenses: ExpensesModel
    fee_split: FeeSplitModel
    n_records: int
    n_fitted: int
    data_cutoff: str | None
    log_posterior: float
    # What the regression is pooled with; None in models fitted before pooling, which answer by the
    # regression alone (left out of their content hash, so their ids hold).
    claim_rule: ClaimRule | None = None

    def __post_init__(self) -> None:
        p = self.features.width
        if len(self.coefficients) != p or len(self.covariance) != p or any(len(r) != p for r in self.covariance):
            raise ValueError(f"`coefficients` and `covariance` must match the {p} features")
        if not (self.sigma > 0 and self.interval_scale > 0):
            raise ValueError("`sigma` and `interval_scale` must be positive")


# Fields added after models were first stored, last in `FittedModel`: while unset they are left out of
# its encoding, so that a model stored before them keeps its bytes and its id. (A JSON string escapes
# its quotes, so the pattern can only match the field itself.)
_LATER_FIELDS = (b',"claim_rule":null',)


def _encoded(model: FittedModel) -> bytes:
    body = msgspec.json.encode(model, order="deterministic")
    for unset in _LATER_FIELDS:
        body = body.replace(unset, b"")
    return body


def content_id(model: FittedModel) -> str:
    """A stable id: the hash of everything but the id itself."""
    return hashlib.sha256(_encoded(msgspec.structs.replace(model, id=""))).hexdigest()[:16]


def with_id(model: FittedModel) -> FittedModel:
    return msgspec.structs.replace(model, id=content_id(model))


def dumps_model(model: FittedModel) -> bytes:
    return msgspec.json.format(_encoded(model), indent=1) + b"\n"


def loads_model(data: bytes) -> FittedModel:
    """Decode and validate a model; a wrong schema version or a tampered body is refused."""
    try:
        version = decode(data, _VERSIONED).schema_version
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"not a fitted model: {exc}", field="model") from exc
    if version != SCHEMA_VERSION:
        raise InvalidInputError(
            f"model schema version {version} is not supported (this build reads {SCHEMA_VERSION}); refit it",
            field="model",
        )
    try:
        model = decode(data, _MODEL)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InvalidInputError(f"not a valid fitted model: {exc}", field="model") from exc
    if model.id != content_id(model):
        raise InvalidInputError(
            "the model's content does not match its id; it was altered after fitting", field="model"
        )
    return model


def load_model(path: str | Path) -> FittedModel:
    return loads_model(Path(path).read_bytes())


DEFAULT_MODEL_RESOURCE = "default_model.json"


def default_model() -> FittedModel:
    """The model fitted from the bundled decided cases (`make calibrate` reproduces it)."""
    resource = importlib.resources.files("estimator.model") / DEFAULT_MODEL_RESOURCE
    if not resource.is_file():
        raise ModelNotFittedError("no default model is installed; run `make calibrate`")
    return loads_model(resource.read_bytes())


class _Versioned(msgspec.Struct):
    schema_version: int = 0


_VERSIONED = msgspec.json.Decoder(_Versioned)
_MODEL = msgspec.json.Decoder(FittedModel)
