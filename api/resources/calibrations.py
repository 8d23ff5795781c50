"""`/v1/calibrations`: fit the award model from a firm's own decided cases, and manage the results."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import MethodNotAllowedException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter, RawBody
from litestar.response import Response as LitestarResponse
from msgspec import Meta

from api.auth import require_tenant
from api.errors import AUTH_RESPONSES, ERROR_RESPONSES, UPLOAD_RESPONSES, parameters_named
from api.formats import body_format
from api.openapi import RawBodyDoc
from api.service import Calibration, EstimatorService
from api.storage import CalibrationSummary
from api.types import LABEL_PATTERN, Response, label_problem
from api.types import Request as RequestBody
from calibration.evaluate import Evaluation
from calibration.records import CaseRecord, records_to_csv

SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]
PathId = Annotated[
    str, PathParameter(max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="A calibration id, or `default`.")
]


class ModelSummary(Response, frozen=True):
    id: str
    n_records: int
    n_fitted: Annotated[int, Meta(description="Records usable as statutory awards.")]
    data_cutoff: str | None
    sigma: Annotated[
        float, Meta(description="Spread of awards around the regression's mean, log scale (before pooling).")
    ]
    interval_scale: Annotated[float, Meta(description="Cross-validated factor on predictive spread.")]
    claim_rule_weight: Annotated[
        float,
        Meta(
            description="Weight of what the claim alone predicts, pooled with the regression "
            "(0: the regression alone, as in models fitted before pooling)."
        ),
    ]
    expenses_share: Annotated[float, Meta(description="Share of claimed expenses courts support.")]
    fee_split_gamma: Annotated[float, Meta(description="Defendant fee share = (award/claim)^gamma; 1 = proportional.")]


class CalibrationLinks(Response, frozen=True):
    reliability_chart: Annotated[str, Meta(description="Held-out ranges against actual awards (PNG; ?format=svg).")]


class CalibrationOut(Response, frozen=True):
    id: str
    name: str | None
    created_at: str
    n_records: int
    model: ModelSummary
    diagnostics: Annotated[
        Evaluation | None, Meta(description="Held-out validation against the constant and ratio baselines.")
    ]
    links: CalibrationLinks


class CalibrationList(Response, frozen=True):
    calibrations: list[CalibrationSummary]


# A readable label (`LABEL_PATTERN`): a control character breaks lists and reports, and U+FFFD is what
# a query's bytes that are not UTF-8 (`?name=%FF`) decode to: refused, not stored garbled.
NAME_PATTERN = LABEL_PATTERN
Name = Annotated[
    str, Meta(min_length=1, max_length=200, pattern=NAME_PATTERN, description="A label for the calibration.")
]


class CalibrationChanges(RequestBody, frozen=True):
    name: Annotated[Name | None, Meta(description="The new label; null removes it.")]

    def __post_init__(self) -> None:
        if self.name is not None and (problem := label_problem(self.name)):
            raise ValueError(f"`name`: {problem}")


RENAME_EXAMPLES = [
    Example(id="name_it", summary="Name a calibration", value={"name": "photo cases, Beijing courts, 2021-2024"}),
    # Not `{"name": null}` (which removes the name): the OpenAPI document drops nulls from examples.
    Example(id="name_it_for_a_matter", summary="Name it after a matter", value={"name": "Matter 2024-117, music"}),
]


def _not_the_default(service: EstimatorService, tenant: str | None, calibration_id: str, verb: str) -> None:
    """The bundled calibration is read-only: a 405 that says which method it does take."""
    if service.is_bundled(tenant, calibration_id):
        raise MethodNotAllowedException(
            detail=f"the default calibration is bundled with the service: it can be read, not {verb}",
            headers={"Allow": "GET, OPTIONS"},
        )


def calibration_out(item: Calibration) -> CalibrationOut:
    model = item.model
    return CalibrationOut(
        id=item.id,
        name=item.name,
        created_at=item.created_at,
        n_records=item.n_records,
        model=ModelSummary(
            id=model.id,
            n_records=model.n_records,
            n_fitted=model.n_fitted,
            data_cutoff=model.data_cutoff,
            sigma=model.sigma,
            interval_scale=model.interval_scale,
            claim_rule_weight=model.claim_rule.weight if model.claim_rule else 0.0,
            expenses_share=model.expenses.share,
            fee_split_gamma=model.fee_split.gamma,
        ),
        diagnostics=item.diagnostics,
        links=CalibrationLinks(reliability_chart=f"/v1/calibrations/{item.id}/reliability"),
    )


_RECORD = {
    "law_version": "2020",
    "work_type": "photograph",
    "plaintiff_type": "company",
    "defendant_type": "company",
    "commercial_use": True,
    "award_includes_expenses": False,
}
UPLOAD_EXAMPLES = [
    Example(
        id="firm_photo_cases",
        summary="A firm's own photograph cases (JSON array; NDJSON and CSV are accepted by Content-Type)",
        value=[
            {
                **_RECORD,
                "id": f"firm-photo-{i}",
                "works_count": n,
                "claimed_economic_loss": c,
                "awarded_economic_loss": a,
            }
            for i, (n, c, a) in enumerate(
                [
                    (1, 10000, 2000),
                    (3, 30000, 4500),
                    (5, 50000, 6000),
                    (10, 100000, 15000),
                    (2, 20000, 1500),
                    (8, 80000, 12000),
                    (1, 5000, 800),
                    (4, 40000, 5000),
                    (20, 200000, 30000),
                    (6, 60000, 9000),
                ]
            )
        ],
    ),
    Example(
        id="firm_mixed_cases",
        summary="Mixed works, some awards covering expenses (combined figures are fitted as intervals)",
        value=[
            {
                **_RECORD,
                "id": f"firm-mixed-{i}",
                "work_type": w,
                "claimed_total": c,
                "awarded_total": a,
                "award_includes_expenses": True,
            }
            for i, (w, c, a) in enumerate(
                [
                    ("text", 50000, 8000),
                    ("music", 20000, 3000),
                    ("film", 500000, 60000),
                    ("text", 10000, 2500),
                    ("fine_art", 30000, 5000),
                    ("music", 100000, 12000),
                    ("film", 1000000, 150000),
                    ("fine_art", 8000, 2000),
                    ("text", 200000, 20000),
                    ("music", 40000, 4000),
                ]
            )
        ],
    ),
]


def _ndjson(records: Any) -> str:
    return "".join(msgspec.json.encode(r).decode() + "\n" for r in records)


def _csv(records: Any) -> str:
    return records_to_csv(msgspec.convert(records, list[CaseRecord]))


UPLOAD_BODY = RawBodyDoc(
    description="Decided-case records; the format follows `Content-Type`.",
    examples={
        "application/json": UPLOAD_EXAMPLES,
        "application/x-ndjson": [
            Example(id=f"{e.id}_ndjson", summary=f"{e.summary} (NDJSON)", value=_ndjson(e.value))
            for e in UPLOAD_EXAMPLES
        ],
        "text/csv": [
            Example(id=f"{e.id}_csv", summary=f"{e.summary} (CSV)", value=_csv(e.value)) for e in UPLOAD_EXAMPLES
        ],
    },
)


class CalibrationController(Controller):
    path = "/v1/calibrations"
    tags = ("Calibrations",)
    security = SECURITY

    @post(
        operation_id="createCalibration",
        summary="Fit the award model from your own decided cases",
        description=(
            "Send decided-case records (the fields of `calibration/data/README.md`) as a JSON array, NDJSON "
            "(`application/x-ndjson`) or CSV (`text/csv`). The model is fitted, cross-validated against the "
            "constant and ratio baselines, stored under your API key and returned with its diagnostics. A bad "
            "record is a 400 naming the record and field, and nothing is stored. Estimates then name it by id. "
            "The id is a hash of the fitted model and its records: the same records sent again give the stored "
            "calibration back with 200 instead of 201, under its first name and date (rename it with `PATCH`); "
            "records that fit the same model but differ (case numbers, notes) are a calibration of their own."
        ),
        status_code=201,
        responses={
            200: ResponseSpec(
                data_container=CalibrationOut,
                description="These records were calibrated before: the stored calibration, unchanged.",
            ),
            **ERROR_RESPONSES,
            **AUTH_RESPONSES,
            **UPLOAD_RESPONSES,
        },
        sync_to_thread=True,
    )
    def create(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        body: RawBody,
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        name: Annotated[
            str | None,
            QueryParameter(
                min_length=1, max_length=200, pattern=NAME_PATTERN, description="A label for the calibration."
            ),
        ] = None,
    ) -> LitestarResponse[CalibrationOut]:
        owner = require_tenant(tenant)
        if name is not None and (problem := label_problem(name)):
            raise ValidationException(detail=problem, extra=[{"key": "name", "source": "query", "message": problem}])
        calibration, new = service.create_calibration(owner, body, body_format(request), name=name)
        out = calibration_out(calibration)
        return LitestarResponse(
            out, status_code=201 if new else 200, headers={"Location": f"/v1/calibrations/{out.id}"}
        )

    @get(
        operation_id="listCalibrations",
        summary="List your calibrations, newest first",
        description="The calibrations created with your API key (never another firm's), with `limit` and `offset`.",
        responses=AUTH_RESPONSES,
        sync_to_thread=True,
    )
    def list_calibrations(
        self,
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**53)] = 0,
    ) -> CalibrationList:
        return CalibrationList(
            calibrations=service.list_calibrations(require_tenant(tenant), limit=limit, offset=offset)
        )

    @get(
        "/{calibration_id:str}",
        operation_id="getCalibration",
        summary="Get a calibration with its diagnostics (`default` is the bundled one)",
        description="The fitted model's summary and its held-out validation. Another key's calibration is a 404.",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        sync_to_thread=True,
        security=[{}, *SECURITY],
    )
    def get_calibration(
        self, calibration_id: PathId, service: NamedDependency[EstimatorService], tenant: NamedDependency[str | None]
    ) -> CalibrationOut:
        with parameters_named("path", "calibration_id"):
            return calibration_out(service.get_calibration(tenant, calibration_id))

    @delete(
        "/{calibration_id:str}",
        operation_id="deleteCalibration",
        summary="Delete one of your calibrations",
        description="Removes the calibration, its diagnostics and the records it was fitted from. The bundled "
        "`default` calibration cannot be deleted (405).",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        sync_to_thread=True,
    )
    def delete_calibration(
        self, calibration_id: PathId, service: NamedDependency[EstimatorService], tenant: NamedDependency[str | None]
    ) -> None:
        _not_the_default(service, tenant, calibration_id, "deleted")
        with parameters_named("path", "calibration_id"):
            service.delete_calibration(require_tenant(tenant), calibration_id)

    @patch(
        "/{calibration_id:str}",
        operation_id="renameCalibration",
        summary="Rename one of your calibrations",
        description="Sets the calibration's `name` (null removes it); its id, model and diagnostics stay as they "
        "are. Another key's calibration is a 404; the bundled `default` cannot be renamed (405).",
        responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        sync_to_thread=True,
    )
    def rename_calibration(
        self,
        calibration_id: PathId,
        data: Annotated[CalibrationChanges, Body(examples=RENAME_EXAMPLES)],
        service: NamedDependency[EstimatorService],
        tenant: NamedDependency[str | None],
    ) -> CalibrationOut:
        _not_the_default(service, tenant, calibration_id, "renamed")
        with parameters_named("path", "calibration_id"):
            return calibration_out(service.rename_calibration(require_tenant(tenant), calibration_id, data.name))
