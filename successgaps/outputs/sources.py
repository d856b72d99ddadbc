"""What a report or a workbook reads besides the project: the gap screen and the data quality.

`con` is a DuckDB connection to the workspace (`store.cursor()`); without it (or without a
confirmed data set) the data sections say so in a sentence. Figures are never computed here: the
screen comes from `engine.screen` through the engine's export (`engine.suppression.for_export`:
complementary suppression), the quality findings from `data.quality`. No report contains a student
id or a raw row: only the engine's aggregate table.
"""

from __future__ import annotations

import pandas as pd

from ..data import quality, views
from ..engine import suppression
from ..engine.screen import screen
from ..models import Project


class Sources:
    """What a report reads besides the project: the screen (from the gap engine) and data quality.

    Nothing is computed here: each figure comes from the module that shows it on screen.
    """

    def __init__(self, project: Project, con=None):
        self.project = project
        self.con = con
        self._screens: dict[str, pd.DataFrame | None] = {}

    def dataset(self, dataset_id: str = ""):
        p = self.project
        focus = p.focus_statement()
        wanted = dataset_id or (focus.dataset_id if focus else "")
        confirmed = [d for d in p.datasets if d.confirmed and d.files]
        return next((d for d in confirmed if d.id == wanted), confirmed[0] if confirmed else None)

    def screen(self, dataset_id: str = "") -> pd.DataFrame | None:
        """The screen as exported by the gap engine (small groups suppressed exactly as on screen)."""
        dataset = self.dataset(dataset_id)
        if dataset is None or self.con is None:
            return None
        if dataset.id not in self._screens:
            self._screens[dataset.id] = _export_screen(self.con, self.project, dataset)
        return self._screens[dataset.id]

    def quality(self, dataset_id: str = ""):
        dataset = self.dataset(dataset_id)
        if dataset is None or self.con is None:
            return None
        return _quality(self.con, self.project, dataset)

    def far_out(self, dataset_id: str = "") -> dict[str, str]:
        """Outcome -> the sentence about its far-out values, printed beside that outcome's gaps."""
        dataset = self.dataset(dataset_id)
        if dataset is None or self.con is None:
            return {}
        return quality.far_out_notes(self.con, self.project, dataset)


def _export_screen(con, project: Project, dataset) -> pd.DataFrame:
    """`screen.screen` (every level, school and year) as `suppression.for_export` hands it to any export."""
    prepared = views.prepare(con, project, dataset)
    return suppression.for_export(screen(con, prepared, project.gap_settings, extra=True))


def _quality(con, project: Project, dataset):
    return quality.quality_report(con, project, dataset)
