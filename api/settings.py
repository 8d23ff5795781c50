"""Service settings: one frozen Struct, read from the environment only by `Settings.from_env`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

import msgspec

from estimator.law.article54 import Article54Settings, ExpensesMode, PunitiveFormula
from estimator.law.fees import FeeSettings, ReducedClaimFee
from estimator.money import Rounding

ENV_PREFIX = "ESTIMATOR_"
# The settings that are a plain variable as well as an `ESTIMATOR_` one (which wins when both are set).
_PLAIN = {"host": "HOST", "port": "PORT", "database_url": "DATABASE_URL"}
Positive = Annotated[int, msgspec.Meta(ge=1)]
MAX_FIRM_CHARACTERS = 255  # as `api.storage.MAX_KEY_CHARACTERS`


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the app factory needs; defaults suit a laptop (`make run`)."""

    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=0, le=65_535)] = 8000  # 0: any free port
    # API key -> tenant (the firm whose calibrations the key may see). Empty: the service runs open.
    api_keys: dict[str, str] = msgspec.field(default_factory=dict)
    data_dir: str = ".data"
    database_url: str | None = None
    rounding: Rounding = Rounding.CENT
    ip_without_amount_fee: Decimal = Decimal(1_000)
    enforcement_without_amount_fee: Decimal = Decimal(500)
    reduced_claim_fee: ReducedClaimFee = ReducedClaimFee.DIFFERENCE
    punitive_formula: PunitiveFormula = PunitiveFormula.MULTIPLY
    expenses_mode: ExpensesMode = ExpensesMode.SEPARATE
    civil_code_punitive_window: bool = False
    # Bodies larger than this get a 413; uploads of case records are the largest legitimate ones.
    max_body_bytes: Positive = 20 * 1024 * 1024
    # Records in one calibration upload; fitting and nested cross-validation grow with it.
    max_calibration_records: Positive = 20_000
    # Rows in one `POST /v1/estimates/batch`; beyond it a 413 (the CLI has no limit).
    max_batch_rows: Positive = 100_000
    debug: bool = False

    def __post_init__(self) -> None:
        # A firm's name keys its calibrations in the store, which takes up to 255 characters: a longer
        # one would be refused on every request, as though the client had sent it.
        for firm in self.api_keys.values():
            if not 1 <= len(firm) <= MAX_FIRM_CHARACTERS:
                raise ValueError(
                    f"ESTIMATOR_API_KEYS: a firm's name must be 1 to {MAX_FIRM_CHARACTERS} characters, not {len(firm)}"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `PORT`, `HOST`, `DATABASE_URL` and `ESTIMATOR_*` variables (see README)."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        read_from: dict[str, str] = {}  # field -> the variable its value came from, for errors
        for field, variable in _PLAIN.items():
            if env.get(variable):  # set but empty (a compose file's `DATABASE_URL=`) counts as unset
                raw[field], read_from[field] = env[variable], variable
        for field in cls.__struct_fields__:
            key = ENV_PREFIX + field.upper()
            if key in env and (env[key] or field not in _PLAIN):
                raw[field], read_from[field] = env[key], key
        if isinstance(keys := raw.get("api_keys"), str):
            raw["api_keys"] = _parse_api_keys(keys)
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            # msgspec names the field (`$.max_batch_rows`); the operator wrote a variable.
            named = re.sub(r"`\$\.(\w+)`", lambda m: f"`{read_from[m[1]]}`" if m[1] in read_from else m[0], str(exc))
            raise ValueError(f"bad service setting in the environment: {named}") from exc

    def fee_settings(self, rounding: str | None = None) -> FeeSettings:
        """Fee settings, with a request's own rounding choice where it made one."""
        chosen = self.rounding if rounding is None else Rounding(rounding)
        return FeeSettings(
            rounding=chosen,
            ip_without_amount_fee=self.ip_without_amount_fee,
            enforcement_without_amount_fee=self.enforcement_without_amount_fee,
            reduced_claim_fee=self.reduced_claim_fee,
        )

    def article54_settings(self) -> Article54Settings:
        return Article54Settings(
            punitive_formula=self.punitive_formula,
            expenses_mode=self.expenses_mode,
            civil_code_punitive_window=self.civil_code_punitive_window,
            rounding=self.rounding,
        )


def _parse_api_keys(text: str) -> dict[str, str]:
    """`key1:firm-a,key2:firm-b` -> {key: tenant}; a key without `:tenant` is its own tenant."""
    keys: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, tenant = item.partition(":")
        keys[key.strip()] = tenant.strip() or key.strip()
    return keys
