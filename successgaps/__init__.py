"""Success Gaps: find the groups of students a school system is not serving well, and act on it.

One package per layer; imports point down only (tests/test_architecture.py checks it):

    ui        streamlit helpers shared by the pages (the only layer, with the pages, that imports streamlit)
    outputs   PDF reports, spreadsheets, interactive and static charts, the files the command line writes
    process   the toolkit's steps: team, meetings, rubric, root causes, action plan, monitoring, progress
    engine    the gap table: cells in SQL, statistics, suppression, ranking, gap statements
    data      uploads into DuckDB, detection, code tables, the mapping, the prepared views, quality
    core      models, store, errors, sql, text (this folder), used by all

`cli.py` and `__main__.py` are the command line's entry (`python -m successgaps screen FILE`).
"""

__version__ = "0.1.0"
