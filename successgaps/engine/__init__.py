"""Layer `engine`: the gap table.

    screen        screen(con, prepared, settings): the gap table, and the definitions of every column
    columns       the table's published and extra columns
    cells         the counts behind every row, gathered in one SQL statement over the cube
    stats         Wilson, Newcombe, two-proportion/Fisher, benchmark, Welch, Hedges' g, Cohen's h
    distributions the normal and t distributions the statistics read (scipy.special, not scipy.stats)
    suppression   primary and complementary suppression, for_export (what any export must show)
    certificates  the gate's search: certificates that no hidden cell can be worked out
    memo          what a caller that screens the same data again keeps between screens (counts, the gate's answers)
    ranking       thresholds, years in a row, ranking, heatmap tables, select, Lookup, readable
    means         one group's average, variance and n per year (a goal measured by an average)
    statements    gap sentences and the project's gap statements
    disproportionality  34 CFR 300.647 / IDC figures: state figures, weighted risk ratio, categories, state list
    quickscreen   the quick screen's analysis of one file (its PDF and CSV are in outputs)

A new metric is one place here: its statistic in `stats`, its column in `columns` and `screen`
(and a glossary entry in data/guidance.toml).

May import: `data` and the core modules. Never process, outputs, ui or streamlit.
"""
