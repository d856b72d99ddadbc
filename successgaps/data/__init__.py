"""Layer `data`: uploads into DuckDB and what they mean.

Reading files (formats, encodings, dialects, limits), layout and column detection, code tables,
public-file layouts (EDFacts), the mapping and its checks, the prepared views and the cube (the
contract with the engine: `data.prepared`), the data-set lifecycle and the quality report.

May import: the core modules (`models`, `store`, `errors`, `sql`, `text`). Never a higher layer
(engine, process, outputs, ui) and never streamlit.
"""
