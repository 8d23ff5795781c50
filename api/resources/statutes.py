"""`GET /v1/statutes`: the damages regimes covered, the one governing an act, and the limitation period."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.openapi.spec import Example
from litestar.params import FromQuery, QueryParameter
from msgspec import Meta

from api.errors import ERROR_RESPONSES, parameters_named
from api.formats import language_of
from api.types import Response
from estimator.language import statute_zh
from estimator.law.limitation import limitation
from estimator.law.statutes import REGIMES, Law, Regime, select_regime

LawChoice = Literal["copyright", "trademark", "patent", "unfair_competition"]


def _day(value: str) -> list[Example]:
    """A date parameter's worked example, so that Swagger UI's "Try it out" starts filled in."""
    return [Example(summary=value, value=value)]


LangQuery = Annotated[
    Literal["en", "zh"] | None,
    QueryParameter(description="Language of `reason` (and of the limitation's notes); default from `Accept-Language`."),
]
VerificationChoice = Literal["verified", "secondary", "recalled"]


class SourceOut(Response, frozen=True):
    citation: str
    verification: Annotated[
        VerificationChoice,
        Meta(
            description="`verified`: read in the primary text; `secondary`: only in a secondary source; "
            "`recalled`: from memory, a hypothesis to check."
        ),
    ]
    url: str | None


class PunitiveOut(Response, frozen=True):
    min_multiplier: float
    max_multiplier: float
    requires: str


class StatuteOut(Response, frozen=True):
    id: str
    law: LawChoice
    version: str
    title: str
    title_zh: str
    article: str
    effective_from: dt.date
    effective_from_verification: VerificationChoice
    effective_to: dt.date | None
    methods: Annotated[
        list[list[str]],
        Meta(
            description="Compensation methods in the order the court tries them; methods in one inner list "
            "stand without order between them."
        ),
    ]
    statutory_floor: float
    statutory_cap: float
    punitive: PunitiveOut | None
    notes: list[str]
    sources: list[SourceOut]


class StatuteList(Response, frozen=True):
    statutes: list[StatuteOut]


class ApplicableStatute(Response, frozen=True):
    statute: StatuteOut
    reason: Annotated[str, Meta(description="Why this regime governs; in Chinese with `Accept-Language: zh`.")]


class LimitationOut(Response, frozen=True):
    period_ends: Annotated[
        dt.date,
        Meta(
            description="The last day to file in time: three years from `known_on` (Civil Code art. 188), two for "
            "knowledge before 2015-10-01."
        ),
    ]
    in_time: bool
    continuing_at_filing: Annotated[bool, Meta(description="The act was still going on when the suit was filed.")]
    time_barred_if_pleaded: Annotated[
        bool,
        Meta(
            description="Filed late, the act over before the three years before filing: the claim fails if the "
            "defendant pleads limitation."
        ),
    ]
    damages_from: Annotated[
        dt.date | None,
        Meta(
            description="First day of the acts whose damages count (three years before filing, when late); null "
            "when time-barred."
        ),
    ]
    damages_to: Annotated[
        dt.date | None, Meta(description="Last day of those acts: `act_end`, or null for an act still going on.")
    ]
    reason: Annotated[str, Meta(description="The outcome and why; in Chinese with `Accept-Language: zh`.")]
    assumptions: list[str]
    sources: list[str]


def statute_out(regime: Regime) -> StatuteOut:
    punitive = None
    if regime.punitive_min is not None and regime.punitive_max is not None:
        punitive = PunitiveOut(
            min_multiplier=float(regime.punitive_min),
            max_multiplier=float(regime.punitive_max),
            requires=regime.punitive_requires or "",
        )
    return StatuteOut(
        id=regime.id,
        law=regime.law.value,
        version=regime.version,
        title=regime.title,
        title_zh=regime.title_zh,
        article=regime.article,
        effective_from=regime.effective_from,
        effective_from_verification=regime.effective_from_verification.value,
        effective_to=regime.effective_to,
        methods=[[method.value for method in group] for group in regime.methods],
        statutory_floor=float(regime.statutory_floor),
        statutory_cap=float(regime.statutory_cap),
        punitive=punitive,
        notes=list(regime.notes),
        sources=[SourceOut(citation=s.citation, verification=s.verification.value, url=s.url) for s in regime.sources],
    )


class StatuteController(Controller):
    path = "/v1/statutes"
    tags = ("Statutes",)

    @get(
        operation_id="listStatutes",
        summary="List the damages regimes covered",
        description=(
            "Each version of the damages article of the Copyright, Trademark, Patent and Anti-Unfair Competition "
            "laws: effective dates, statutory bounds, punitive range, method order, and sources with how firmly "
            "each was verified. Filter by `law`."
        ),
        responses=ERROR_RESPONSES,
    )
    async def list_statutes(self, law: FromQuery[LawChoice | None] = None) -> StatuteList:
        return StatuteList(statutes=[statute_out(r) for r in REGIMES if law is None or r.law.value == law])

    @get(
        "/applicable",
        operation_id="findApplicableStatute",
        summary="Find the regime governing an infringing act",
        description=(
            "The law in force when the act occurred governs (Copyright Law art. 66); an act that began before an "
            "amendment and continued after it takes the amended law (SPC copyright interpretation art. 29)."
        ),
        responses=ERROR_RESPONSES,
    )
    async def applicable(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        act_start: Annotated[
            dt.date, QueryParameter(description="First day of the infringing act.", examples=_day("2020-09-01"))
        ],
        law: FromQuery[LawChoice] = "copyright",
        act_end: Annotated[
            dt.date | None,
            QueryParameter(
                description="Last day, for a continuing act (default: `act_start`). The example runs past "
                "2021-06-01, when the 2020 amendment took effect, so the amended law governs.",
                examples=_day("2021-07-01"),
            ),
        ] = None,
        lang: LangQuery = None,
    ) -> ApplicableStatute:
        with parameters_named("query", "act_start", "act_end"):
            regime = select_regime(Law(law), act_start, act_end)
        day = (act_end or act_start).isoformat()
        if (lang or language_of(request)) == "zh":
            reason = f"侵权行为的最后一日（{day}）施行的是{statute_zh(regime.title_zh)}"
        else:
            reason = f"{regime.title} was in force on {day}, the last day of the act"
        return ApplicableStatute(statute=statute_out(regime), reason=reason)

    @get(
        "/limitation",
        operation_id="checkLimitation",
        summary="Check the limitation period, and which acts a late suit still recovers damages for",
        description=(
            "Three years from the day the holder knew or should have known of the infringement and the infringer "
            "(Civil Code art. 188; two years for knowledge before 2015-10-01). Sued later, the acts of the three "
            "years before filing still count: an act still going on is ordered stopped and its damages counted back "
            "three years from the day of filing (SPC copyright interpretation art. 27); an act that ended within "
            "those three years keeps its damages from then on; an act over before them leaves a claim that fails "
            "if the defendant pleads limitation. Suspension and interruption of the period (a demand letter "
            "interrupts it) are not modelled."
        ),
        responses=ERROR_RESPONSES,
    )
    async def check_limitation(
        self,
        request: Request,  # type: ignore[type-arg]  # any Request
        known_on: Annotated[
            dt.date,
            QueryParameter(
                description="When the holder knew or should have known of the act and who did it.",
                examples=_day("2021-03-15"),
            ),
        ],
        filed_on: Annotated[
            dt.date,
            QueryParameter(
                description="When the suit was (or will be) filed. The example is after the period ran out "
                "(2024-03-15), with the act still going on: damages count back three years.",
                examples=_day("2024-06-01"),
            ),
        ],
        act_start: Annotated[
            dt.date, QueryParameter(description="First day of the infringing act.", examples=_day("2020-05-01"))
        ],
        act_end: Annotated[
            dt.date | None,
            QueryParameter(description="Last day of the act; leave out if it was still going on at filing."),
        ] = None,
        lang: LangQuery = None,
    ) -> LimitationOut:
        with parameters_named("query", "known_on", "filed_on", "act_start", "act_end"):
            found = limitation(
                known_on=known_on,
                filed_on=filed_on,
                act_start=act_start,
                act_end=act_end,
                lang=lang or language_of(request),
            )
        return msgspec.convert(found, LimitationOut, from_attributes=True)
