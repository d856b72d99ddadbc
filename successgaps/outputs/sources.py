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
from ..engine import disproportionality, suppression
from ..engine.memo import Memo
from ..engine.screen import screen
from ..errors import UserError
from ..models import GapSettings, Project


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
    """`project_screen` with the project's saved settings."""
    return project_screen(con, project, dataset, project.gap_settings)


def project_screen(con, project: Project, dataset, settings: GapSettings, memo: Memo | None = None) -> pd.DataFrame:
    """The gap table of one of a project's data sets (every level, school and year) as the page, its reports
    and downloads show it: `screen.screen` with the state comparison taken from another data set of the
    project when the settings name one, through `suppression.for_export`. A setting this data set cannot
    use — a state comparison that cannot be read, a population of another file's groups — is left out and
    said in a sentence in `attrs["notes"]`, so the screen still shows. `memo`: see `engine.memo`."""
    prepared, notes = views.prepare(con, project, dataset), []
    other = project.dataset(settings.state_dataset) if settings.state_dataset != dataset.id else None
    try:
        state = disproportionality.state_counts(con, views.prepare(con, project, other), settings) if other else None
    except UserError as exc:
        state, notes = None, [f"The state comparison “{other.name}” is not used: {exc}"]
    try:
        table = screen(con, prepared, settings, extra=True, state=state, memo=memo)
    except UserError as exc:
        if not settings.among_group:
            raise
        table = screen(con, prepared, settings.model_copy(update={"among_dimension": "", "among_group": ""}),
                       extra=True, state=state, memo=memo)
        notes.append(f"Screened among all students: {exc}")
    table.attrs["notes"] = notes
    return suppression.for_export(table)


def _quality(con, project: Project, dataset):
    return quality.quality_report(con, project, dataset)
