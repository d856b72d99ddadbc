"""Guidance content: the "What is a success gap?" explainer, facilitator tips per step, the glossary.

All text lives in `data/guidance.toml` (our own words); this module validates it and hands it out.
Glossary terms are found by their key (`risk_ratio`) or by any gap-engine column they explain
(`ci_low` -> the confidence-interval term), so every figure on a screen can point to its entry.
The one-page PDF of the explainer is made by `outputs.handout`.
The formulas themselves are stated in the glossary entries, e.g. rate = events ÷ n,
difference = (rate − comparison_rate) × 100, risk_ratio = rate ÷ comparison_rate.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

GUIDANCE_PATH = Path(__file__).resolve().parents[2] / "data" / "guidance.toml"
STEP_NUMBERS = range(1, 8)


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Content):
    heading: str
    body: str = ""
    items: list[str] = Field(default_factory=list)
    numbered: bool = False


class Explainer(_Content):
    title: str
    summary: str
    sections: list[Section]


class Tip(_Content):
    step: int = Field(ge=1, le=7)
    title: str
    text: str
    points: list[str] = Field(default_factory=list)  # keys of `Guidance.points` this tip serves


class Term(_Content):
    key: str
    name: str
    columns: list[str] = Field(default_factory=list)  # gap-engine result columns it explains
    short: str  # one sentence, for a widget's help text
    definition: str
    formula: str
    example: str  # worked example with the sample district's numbers
    when: str  # when to use it


class Guidance(_Content):
    explainer: Explainer
    points: dict[str, str]  # facilitator points every set of tips must cover
    tips: list[Tip]
    terms: list[Term]

    @model_validator(mode="after")
    def _consistent(self) -> Guidance:
        keys = [t.key for t in self.terms]
        if len(keys) != len(set(keys)):
            raise ValueError("glossary keys must be unique")
        columns = [c for t in self.terms for c in t.columns]
        if len(columns) != len(set(columns)):
            raise ValueError("each engine column belongs to one glossary term")
        unknown = {p for tip in self.tips for p in tip.points} - set(self.points)
        if unknown:
            raise ValueError(f"tips name unknown points: {sorted(unknown)}")
        return self


@cache
def load(path: Path = GUIDANCE_PATH) -> Guidance:
    """The validated guidance content (read once per process)."""
    with open(path, "rb") as handle:
        return Guidance.model_validate(tomllib.load(handle))


def explainer() -> Explainer:
    return load().explainer


def step_tips(step: int) -> list[Tip]:
    """Facilitator tips for step 1-7, in the order written."""
    if step not in STEP_NUMBERS:
        raise ValueError(f"step must be 1 to 7, not {step}")
    return [tip for tip in load().tips if tip.step == step]


def points() -> dict[str, str]:
    """The facilitator points (key -> sentence) that the tips cover between them."""
    return load().points


def glossary() -> list[Term]:
    """Every glossary term, in reading order."""
    return load().terms


def term(key: str) -> Term:
    """A term by its key or by a gap-engine column it explains; KeyError when there is none."""
    for entry in load().terms:
        if key == entry.key or key in entry.columns:
            return entry
    raise KeyError(f"no glossary entry for {key!r}")
