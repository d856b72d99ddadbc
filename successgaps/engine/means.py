"""One group's average and its spread, year by year, for a goal measured by an average.

    group_means(con, prepared, dimension, group, outcome, school=None) -> {year: (mean, var, n)}

The gap table gives each group's average but not its variance; a goal measured by an average needs
both for its 95% interval (`stats.mean_interval`, Welch's one-group half). Student data only (an
aggregate file carries no spread). The caller shows only years the gap table shows (suppression).
"""

from __future__ import annotations

from ..data.prepared import Prepared
from ..sql import quote_ident


def group_means(con, prepared: Prepared, dimension: str, group: str, outcome: str,
                school: str | None = None) -> dict[str, tuple[float, float, float]]:
    if prepared.layout != "student":
        return {}
    dim = next((d for d in prepared.dimensions if d.label == dimension), None)
    out = next((o for o in prepared.outcomes if o.label == outcome and o.kind == "numeric"), None)
    if out is None or (dim is None and dimension != "All"):
        return {}
    where, params = [f"{quote_ident(out.key)} IS NOT NULL"], []
    if dim is not None:
        where.append(f"{quote_ident(dim.key)} = ?")
        params.append(group)
    if school:
        where.append("school = ?")
        params.append(school)
    value = quote_ident(out.key)
    rows = con.execute(
        f"SELECT coalesce(CAST(year AS VARCHAR), ''), avg({value}), var_samp({value}), count({value}) "
        f"FROM {prepared.relation} WHERE {' AND '.join(where)} GROUP BY 1", params).fetchall()
    return {str(y): (float(m), float(v), float(n)) for y, m, v, n in rows if n and n > 1 and v is not None}
