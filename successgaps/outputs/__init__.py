"""Layer `outputs`: what leaves the app for people and other programs.

    pdf              the Document every PDF report shares, display number formats, build
    sources          what a report reads besides the project: the exported screen, the quality report
    gap_reports      data and gap screen, success gap statement, the quick screen's one-pager
    plan_reports     rubric, action plan, progress
    meeting_packet   one meeting's packet
    project_report   the whole project
    handout          the "What is a success gap?" handout
    spreadsheet      the one safe writer of .xlsx and .csv (no live formulas)
    workbook         the project's tables in one workbook
    gap_table        the gap table as the command line writes it, the quick screen's CSV
    charts           interactive plotly figures for the screens
    static_charts    matplotlib images for the PDFs

A new report is one module here returning `pdf.build(title, project, write)`. Nothing is computed
here that a screen shows differently: every figure comes from the layer that owns it.

May import: `process`, `engine`, `data` and the core modules. Never ui or streamlit.
"""
