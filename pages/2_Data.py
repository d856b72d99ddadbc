"""Step 2 · Data: upload a file, check how each column is read, see the data's quality."""

from functools import partial

import pandas as pd
import streamlit as st

from successgaps import ui
from successgaps.data import datasets, mapping, quality, read, views
from successgaps.errors import UserError
from successgaps.outputs import gap_reports

project = ui.page("Data", step=2)
ui.require("student_data")
ui.focus_banner(project)
store = ui.store()

LAYOUTS = {
    "student": "Student-level: one row per student (per year)",
    "aggregate_long": "Aggregate, long: one row per school, year and group (also state report cards)",
    "edfacts": "Aggregate, EDFacts public file: count and rate columns per group",
}
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"]
SEVERITY = {"problem": st.error, "warning": st.warning}
# presenting: a 1280 x 720 shared screen shows a slide whole
SLIDE_ROWS = 8  # table rows on one slide
SHORT_CODES = 4  # a code list this short shares its slide with other short ones, two to a row
SHORT_LISTS = 4  # short code lists on one slide
SLIDE_LINES = 10  # lines of findings on one slide (a line: about 100 characters)


@st.cache_data(show_spinner="Checking the data…", max_entries=16)
def quality_findings(project_id: str, revision: int, dataset_id: str) -> list[tuple[str, str]]:
    saved = ui.store().load(project_id)
    dataset = saved.dataset(dataset_id)
    return [(f.severity, f.text) for f in quality.quality_report(ui.store().cursor(), saved, dataset)] if dataset else []


@st.cache_data(show_spinner=False, max_entries=64)
def code_rows(project_id: str, revision: int, dataset_id: str, column: str) -> list[dict]:
    """`views.code_table` of one column, read once per saved revision (not on every rerun)."""
    saved = ui.store().load(project_id)
    return views.code_table(ui.store().cursor(), saved, saved.dataset(dataset_id), column)


def upload_form(key: str, *, with_year: bool) -> tuple:
    """The uploader, the Excel sheet choice and (when needed) the file's school year."""
    uploaded = st.file_uploader("Data file (CSV, TSV, TXT, Excel .xlsx or Parquet)", type=FILE_TYPES, key=key)
    sheet = None
    if uploaded is not None and uploaded.name.lower().endswith((".xlsx", ".xlsm")):
        try:
            sheets = read.excel_sheets(uploaded.getvalue())
            largest = read.excel_sheets(uploaded.getvalue(), largest_first=True)[0]  # not a cover sheet before it
            sheet = st.selectbox("Sheet with the data", sheets, index=sheets.index(largest), key=f"{key}_sheet")
        except UserError as exc:
            st.error(ui.esc(str(exc)))
    year = st.text_input("School year of this file, if it has no year column (for example 2024-25)",
                         key=f"{key}_year") if with_year else ""
    return uploaded, sheet, year


def run_upload(action, uploaded, **kwargs) -> None:
    """Spool the upload into the workspace, call the domain action with a progress bar, save, tidy up."""
    bar = st.progress(0.0, text=f"Reading {uploaded.name}")
    current = ui.project()
    try:
        with read.spooled(uploaded, store.workspace) as path:
            message = action(store, current, path=path, filename=uploaded.name,
                             progress=lambda done, text: bar.progress(done, text=text), **kwargs)
    except UserError as exc:
        bar.empty()
        st.error(ui.esc(str(exc)))
        return
    if ui.save(current):
        ui.flash(message, at="data_files")
    datasets.drop_unused_tables(store, store.load(current.id))
    st.rerun()


def new_dataset(store, current, path, filename, progress, sheet, year):
    dataset = datasets.create_dataset(store, current, path, filename, sheet=sheet, year=year, progress=progress)
    st.session_state["data_dataset"] = dataset.id
    return (f"Loaded {filename}: {dataset.files[0].rows:,} rows, read as "
            f"\u201c{LAYOUTS[dataset.layout].split(':')[0]}\u201d. Check the mapping below and confirm it.")


# ---------------------------------------------------------------- which data set

project_datasets = project.datasets
if not project_datasets:
    st.header("Upload your data")
    if not ui.can("edit") or ui.presenting():  # nothing to upload on the shared screen
        st.write("No data yet: your facilitator uploads it here"
                 + (", after leaving presentation mode." if ui.can("edit") else "."))
        ui.done()
        st.stop()
    st.write("Student-level exports from your student information system, long tables of counts and rates, "
             "or a state/federal public file (EDFacts) all work. The file stays on this computer.")
    uploaded, sheet, year = upload_form("data_upload", with_year=True)
    if st.button("Load file", type="primary", key="data_load", disabled=uploaded is None):
        run_upload(new_dataset, uploaded, sheet=sheet, year=year)
    ui.done()
    st.stop()

ids = [d.id for d in project_datasets]
if st.session_state.get("data_dataset") not in ids:
    st.session_state["data_dataset"] = ids[-1]
if len(project_datasets) > 1:
    st.selectbox("Data set", ids, key="data_dataset", format_func=lambda i: project.dataset(i).name)
dataset = project.dataset(st.session_state["data_dataset"])
code_columns = [c for c in dataset.columns if c.role in ("group", "dimension", "measure", "level")]


def _files_table() -> pd.DataFrame:
    files = pd.DataFrame([{"File": f.filename, "Rows": f.rows, "Year": f.year, "Excel sheet": f.sheet,
                           "Loaded": f.loaded_at} for f in dataset.files])
    return files[[c for c in files if c in ("File", "Rows") or files[c].astype(bool).any()]]  # no empty column


def _data_slide() -> None:
    st.header(f"Our data: “{ui.esc(dataset.name)}”")
    st.markdown(f"**Layout:** {LAYOUTS[dataset.layout]}")
    ui.tables.show(_files_table(), key="data_files_slide")
    if dataset.confirmed:
        st.success("The team confirmed how each column is read.")
    else:
        st.warning("How each column is read is not confirmed yet: check it together before trusting the gaps.")


def _table_slide(title: str, rows: list[dict], key: str, note: str = "") -> None:
    st.header(ui.esc(title))
    ui.tables.show(pd.DataFrame(rows), key=key)
    if note:
        st.caption(ui.esc(note))


def _codes_slide(tables: list[tuple[str, list[dict]]], key: str) -> None:
    """A few short code lists side by side (two to a row)."""
    st.header("What the codes mean")
    for first in range(0, len(tables), 2):
        for column, (name, rows) in zip(st.columns(2), tables[first:first + 2]):
            with column:
                st.subheader(ui.esc(name))
                ui.tables.show(pd.DataFrame(rows), key=f"{key}_{name}")


def _findings(findings: list[tuple[str, str]]) -> None:
    for severity, text in findings:
        SEVERITY.get(severity, st.markdown)(ui.esc(text) if severity in SEVERITY else f"- {ui.esc(text)}")


def _quality_slide(findings: list[tuple[str, str]], title: str) -> None:
    st.header(title)
    if not findings:
        st.success("No problem found in the data.")
    _findings(findings)


def _lines(finding: tuple[str, str]) -> int:
    """The lines a finding takes on a slide: its text's, and one more for a coloured box's margins."""
    return ui.lines(finding[1], 100) + (finding[0] in SEVERITY)


if ui.presenting():  # the shared screen: the data, how it is read, its codes and its quality, a slide at a time
    deck = [("Our data", _data_slide)]
    sections = mapping.reading(dataset)
    left_out = mapping.unused(dataset)
    for i, (section, rows) in enumerate(sections):
        for k, (title, part) in enumerate(ui.slide_parts(section, rows, SLIDE_ROWS)):
            note = f"Not used: {', '.join(left_out)}." if left_out and i == len(sections) - 1 else ""
            deck.append((title, partial(_table_slide, title, part, f"data_read_{i}_{k}", note)))
    short = []  # code lists of a few codes, several to a slide
    for c in code_columns if dataset.layout != "edfacts" else ():
        name = c.label or c.column
        codes = mapping.reading_codes(code_rows(project.id, project.revision, dataset.id, c.column))
        if len(codes) <= SHORT_CODES:
            short.append((name, codes))
            continue
        for k, (title, part) in enumerate(ui.slide_parts(f"What the codes of {name} mean", codes, SLIDE_ROWS)):
            deck.append((title, partial(_table_slide, title, part, f"data_codes_{c.column}_{k}")))
    slides = -(-len(short) // SHORT_LISTS)
    size = -(-len(short) // slides) if short else 1  # the short lists shared out evenly (5 of them: 3 and 2)
    for k in range(0, len(short), size):
        deck.append(("What the codes mean: " + ", ".join(name for name, _ in short[k:k + size]),
                     partial(_codes_slide, short[k:k + size], f"data_short_codes_{k}")))
    findings = quality_findings(project.id, project.revision, dataset.id)
    for title, part in ui.slide_parts("Data quality", findings, SLIDE_LINES, _lines):
        deck.append((title, partial(_quality_slide, part, title)))
    ui.slides(deck, lambda slide: slide[1](), label=lambda slide: slide[0])
    ui.done()
    st.stop()

# ---------------------------------------------------------------- files

st.header(f"Files of \u201c{ui.esc(dataset.name)}\u201d")
ui.tables.show(_files_table(), key="data_files_table")
ui.confirmation("data_files")
if ui.can("edit"):
    with st.expander("Add next year's file, replace or delete a file, or start another data set", key="data_more_box",
                     on_change="rerun"):
        uploaded, sheet, year = upload_form("data_more", with_year=True)
        files = {f.id: f.filename for f in dataset.files}
        action = st.radio("What to do with the new file", ["add", "replace", "new"], horizontal=True, key="data_action",
                          format_func={"add": "Add it to this data set (same mapping)",
                                       "replace": "Replace one file", "new": "Start a new data set"}.get)
        target = st.selectbox("File to replace", list(files), format_func=files.get,
                              key="data_replace_target") if action == "replace" else None
        if st.button("Load file", key="data_more_load", disabled=uploaded is None):
            if action == "new":
                run_upload(new_dataset, uploaded, sheet=sheet, year=year)
            else:
                def change(store, current, path, filename, progress, **_):
                    ds = current.dataset(dataset.id)
                    if action == "add":
                        return datasets.add_file(store, current, ds, path, filename, sheet=sheet, year=year,
                                               progress=progress)
                    return datasets.replace_file(store, current, ds, target, path, filename, sheet=sheet,
                                               year=year or None, progress=progress)
                run_upload(change, uploaded)
        st.divider()
        gone = st.selectbox("File to delete", list(files), format_func=files.get, key="data_delete_target")
        if st.button("Delete file", key="data_delete"):
            current = ui.project()
            message = datasets.delete_file(current, current.dataset(dataset.id), gone)
            if ui.save(current):
                ui.flash(message, at="data_files")
                datasets.drop_unused_tables(store, current)
            st.rerun()

# ---------------------------------------------------------------- layout and mapping

st.header("How the file is read")


def change_layout():
    current = ui.project()
    try:
        datasets.redetect(store, current, current.dataset(dataset.id), st.session_state[f"data_layout_{dataset.id}"])
    except UserError as exc:
        ui.flash(str(exc), "error")
        return
    ui.save(current)


st.selectbox("Layout", list(LAYOUTS), index=list(LAYOUTS).index(dataset.layout), format_func=LAYOUTS.get,
             key=f"data_layout_{dataset.id}", on_change=change_layout,
             help="Detected from the column names; change it if the file was read the wrong way.")
if dataset.confirmed:
    st.success("The team confirmed this mapping. Change anything below and confirm again.")
else:
    st.warning("These are proposals: check each column's role and label, then press **Confirm mapping**.")

rev = project.revision
roles = list(mapping.ROLE_NAMES.values())
mapping_table = st.data_editor(
    pd.DataFrame(mapping.mapping_rows(dataset)), key=f"data_map_{dataset.id}_{rev}", hide_index=True,
    width="stretch", num_rows="fixed", disabled=["column"], placeholder="",  # not "None"
    column_config={
        "column": st.column_config.TextColumn("column", help="The column's name in the file"),
        "role": st.column_config.SelectboxColumn("role", options=roles, required=True),
        "label": st.column_config.TextColumn("label", help="What people will read: 'English learners'"),
        "outcome type": st.column_config.SelectboxColumn("outcome type", options=["", "binary", "numeric"]),
        "yes values": st.column_config.TextColumn("yes values", help="Binary outcome: the values that mean yes, comma-separated"),
        "cut": st.column_config.NumberColumn("cut", help="Numeric outcome: counts as yes when the value is at or above the cut"),
        "below cut": st.column_config.CheckboxColumn("below cut", help="Count as yes when the value is below the cut instead"),
        "divide by": st.column_config.TextColumn("divide by", help="Numeric outcome: divide by this column first (days absent / days enrolled)"),
        "higher is better": st.column_config.CheckboxColumn("higher is better"),
    },
)

code_editors = {}
if code_columns and dataset.layout != "edfacts":
    st.markdown("**What each code means.** Codes with an empty label count as unknown. A column of report-card "
                "categories (RB, GF, SS, TA…) also gives each code's dimension (\u201cAll\u201d for all students); "
                "a place level's codes read state, district, school or county (county rows are left out).")
    for c in code_columns:
        with st.expander(f"Codes of {c.label or c.column} ({c.column})"):
            rows = code_rows(project.id, project.revision, dataset.id, c.column)
            table = pd.DataFrame(rows, columns=["code", "rows", "dimension", "label"] if c.code_dimensions
                                 else ["code", "rows", "label"])
            code_editors[c.column] = st.data_editor(table, key=f"data_codes_{dataset.id}_{c.column}_{rev}",
                                                    hide_index=True, width="stretch", disabled=["code", "rows"],
                                                    placeholder="")

if dataset.layout == "student":
    with st.expander(f"Combined groups ({len(dataset.combined)})"):
        st.caption("A group made of two dimensions, like Black students with disabilities.")
        groups = {c.column: c.label or c.column for c in dataset.columns if c.role == "group"}
        for combo in dataset.combined:
            left, right = st.columns([4, 1])
            left.write(ui.esc(combo.label or f"{groups.get(combo.first, combo.first)} & {groups.get(combo.second, combo.second)}"))
            if right.button("Remove", key=f"data_combo_del_{combo.id}"):
                current = ui.project()
                d = current.dataset(dataset.id)
                d.combined = [g for g in d.combined if g.id != combo.id]
                ui.save(current)
                st.rerun()
        a, b, name = st.columns(3)
        first = a.selectbox("First dimension", list(groups), format_func=groups.get, key="data_combo_first")
        second = b.selectbox("Second dimension", list(groups), format_func=groups.get, key="data_combo_second",
                             index=min(1, len(groups) - 1))
        label = name.text_input("Name (optional)", key="data_combo_label")
        if st.button("Add combined group", key="data_combo_add", disabled=len(groups) < 2):
            current = ui.project()
            try:
                mapping.add_combined(current.dataset(dataset.id), first, second, label)
            except UserError as exc:
                st.error(ui.esc(str(exc)))
            else:
                ui.save(current)
                st.rerun()

if st.button("Confirm mapping", type="primary", key="data_confirm"):
    current = ui.project()
    target = current.dataset(dataset.id)
    codes = {column: {r["code"]: r["label"] for r in frame.to_dict("records")} for column, frame in code_editors.items()}
    dimensions = {column: {r["code"]: r["dimension"] for r in frame.to_dict("records")}
                  for column, frame in code_editors.items() if "dimension" in frame}
    try:
        mapping.apply_mapping(target, mapping_table.to_dict("records"), codes, dimensions)
        views.prepare(store.cursor(), current, target)
    except UserError as exc:
        ui.flash(str(exc), "error", at="data_confirm")
    else:
        target.confirmed = True
        if ui.save(current):
            ui.flash("Mapping confirmed. The data is ready for step 3, Identify gaps.", at="data_confirm")
        st.rerun()
ui.confirmation("data_confirm")

# ---------------------------------------------------------------- quality

st.header("Data quality")
st.caption("Problems never stop you from going on, but read them before you look for gaps.")
_findings(quality_findings(project.id, project.revision, dataset.id))
ui.report_button("Data and gap screen report (PDF)", partial(gap_reports.gap_screen_report, project, store.cursor()),
                 "data-and-gap-screen.pdf")

ui.done()
