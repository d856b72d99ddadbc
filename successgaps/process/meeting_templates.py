"""The meeting templates: timed blocks, materials, facilitator notes, objectives and homework of
each activity of the process, with the opening, closing and breaks (`data/meetings.toml`).

`load_templates()` reads and caches them; the meeting plan (`meetings.plan`) packs activities into
meetings by their minutes, the agendas (`agendas`) lay out their blocks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEMPLATES_PATH = Path(__file__).resolve().parents[2] / "data" / "meetings.toml"


@dataclass(frozen=True)
class Block:
    minutes: int
    title: str
    materials: tuple[str, ...] = ()
    notes: str = ""
    member: str = ""


@dataclass(frozen=True)
class Activity:
    id: str
    kind: str
    title: str
    objectives: tuple[str, ...]
    homework: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)


@dataclass(frozen=True)
class Templates:
    opening: Block
    closing: Block
    activities: dict[str, Activity]
    break_after_minutes: int
    break_minutes: int
    lunch_after_minutes: int
    lunch_minutes: int

    def pauses(self, length: int) -> list[tuple[float, Block]]:
        """Breaks a meeting of `length` minutes gets: (fraction of the meeting after which it falls, block)."""
        pauses = []
        if length > self.break_after_minutes:
            pauses.append((0.25 if length >= self.lunch_after_minutes else 0.5,
                           Block(self.break_minutes, "Break", member="Break.")))
        if length >= self.lunch_after_minutes:
            pauses.append((0.5, Block(self.lunch_minutes, "Lunch", member="Lunch.")))
        return pauses

    def room(self, length: int) -> int:
        """Minutes of a meeting left for activities: length − opening − closing − breaks."""
        return length - self.opening.minutes - self.closing.minutes - sum(b.minutes for _, b in self.pauses(length))


def _block(raw: dict) -> Block:
    return Block(int(raw["minutes"]), raw["title"], tuple(raw.get("materials", ())), raw.get("notes", ""),
                 raw.get("member", ""))


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_PATH) -> Templates:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    activities = {
        key: Activity(key, a["kind"], a["title"], tuple(a.get("objectives", ())), tuple(a.get("homework", ())),
                      tuple(_block(b) for b in a["blocks"]))
        for key, a in raw["activities"].items()
    }
    return Templates(_block(raw["opening"]), _block(raw["closing"]), activities, raw["break_after_minutes"],
                     raw["break_minutes"], raw["lunch_after_minutes"], raw["lunch_minutes"])
