"""Layer `data`: uploads into DuckDB and what they mean.

    read        reading an upload into one table: formats, encodings, dialects, limits, spooling
    codes       missing/suppressed marks, yes/no values, code tables, labels for names (propose_codes)
    edfacts     the EDFacts public-file layout (another public layout: a module of its own here)
    report_card state report cards: one column of reporting categories (RB, GF, TA…), a level column (T/C/D/S)
    detect      the layout and a proposed mapping of every column (detect, propose, higher_is_better)
    mapping     the mapping's roles, checks and edits (check_mapping, mapping_rows, apply_mapping)
    prepared    the contract with the engine: the canonical view and the cube's columns
    views       the prepared view and the cube over a data set's files (prepare), code_table
    datasets    a data set's files: create, redetect, add, replace, delete, drop unused tables
    quality     the data-quality report, in sentences

May import: the core modules (`models`, `store`, `errors`, `sql`, `text`). Never a higher layer
(engine, process, outputs, ui) and never streamlit.
"""
