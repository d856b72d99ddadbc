"""Layer `engine`: the gap table.

Cell gathering in SQL over the cube, the statistics, suppression (primary and complementary),
thresholds, trends and ranking, gap statements, and the quick screen's analysis.

May import: `data` and the core modules. Never process, outputs, ui or streamlit.
"""
