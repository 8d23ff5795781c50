"""The facts of a case that the award model reads: the inputs of a decided-case record, no outcomes.

A `Case` is what a claimant knows before judgment. Decoding ignores unknown fields on purpose, so a
file of decided cases (with their awards) can be scored directly for back-testing; every field but
`id` may be null, and null is a level of its own in the model, never imputed.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

WorkType = Literal[
    "photograph",
    "fine_art",
    "text",
    "music",
    "film",
    "video",
    "software",
    "game",
    "character",
    "ai_image",
    "ai_text",
    "other",
]
LawVersion = Literal["2001", "2010", "2020"]
PartyType = Literal["individual", "company", "platform"]
PlaintiffType = Literal["individual", "company"]
Role = Literal["direct", "contributory"]
Fame = Literal["low", "medium", "high"]
Remediation = Literal["none", "before_suit", "after_notice", "after_suit"]
Procedure = Literal["ordinary", "simplified", "small_claims"]

Amount = Annotated[float, Meta(ge=0, le=1e12)]
Count = Annotated[int, Meta(ge=0, le=10**13)]


class Case(msgspec.Struct, frozen=True, kw_only=True):
    id: str | None = None
    law_version: LawVersion | None = None
    procedure: Procedure | None = None
    work_type: WorkType | None = None
    works_count: Annotated[int, Meta(ge=1, le=10**7)] | None = None
    plaintiff_type: PlaintiffType | None = None
    defendant_type: PartyType | None = None
    infringement_role: Role | None = None
    commercial_use: bool | None = None
    fame: Fame | None = None
    intentional: bool | None = None
    remediation: Remediation | None = None
    duration_days: Count | None = None
    audience: Count | None = None
    claimed_economic_loss: Amount | None = None
    claimed_expenses: Amount | None = None
    claimed_total: Amount | None = None
    notarization_fee: Amount | None = None
    attorney_fee_claimed: Amount | None = None
    evidence_fee: Amount | None = None

    @property
    def claim(self) -> float | None:
        """The economic loss claimed: stated, else the total less stated expenses, else the total.

        The last fallback overstates the loss by the expenses when only a total is known; records
        rarely split the two, and a claim that includes expenses still caps the award.
        """
        if self.claimed_economic_loss is not None:
            return self.claimed_economic_loss
        if self.claimed_total is not None:
            if self.claimed_expenses is not None and self.claimed_total > self.claimed_expenses:
                return self.claimed_total - self.claimed_expenses
            return self.claimed_total
        return None

    @property
    def expenses(self) -> float | None:
        """Reasonable expenses claimed: stated, else the sum of the stated parts."""
        if self.claimed_expenses is not None:
            return self.claimed_expenses
        parts = [p for p in (self.notarization_fee, self.attorney_fee_claimed, self.evidence_fee) if p is not None]
        return math.fsum(parts) if parts else None

    @property
    def amount_in_dispute(self) -> float | None:
        """What the court charges its acceptance fee on: the whole monetary claim."""
        if self.claimed_total is not None:
            return self.claimed_total
        claim = self.claim
        if claim is None:
            return None
        return claim + (self.expenses or 0.0)
