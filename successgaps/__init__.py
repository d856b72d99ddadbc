"""Success Gaps: find the groups of students a school system is not serving well, and act on it.

The domain package: pure Python (no streamlit), shared by the pages, the PDF reports and the CLI.
"""

__version__ = "0.1.0"
