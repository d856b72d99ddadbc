"""Step 2 page: a data lead uploads the district's file, checks the proposed mapping, confirms it,
and reads the quality report before looking for gaps."""

import re

from successgaps.data import datasets, mapping, quality
from successgaps.ui.escape import esc

STUDENTS = (
    "student_id,school_name,school_year,race_ethnicity,disability,graduated\n"
    + "".join(f"{1000 + i},North High,2024-25,{'HBWQ'[i % 4]},{'YN'[i % 2]},{i % 3 and 1 or 0}\n" for i in range(40))
)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def upload(at, name, content):
    at.file_uploader(key="data_upload").upload(name, content, "text/csv")
    at.run()
    button(at, "Load file").click().run()
    return at


def test_uploading_a_file_proposes_a_mapping_and_confirming_it_is_saved(open_page, store):
    project = store.create("North High graduation")
    at = upload(open_page("pages/2_Data.py", project=project.id), "students.csv", STUDENTS.encode())
    assert not at.exception
    saved = store.load(project.id)
    [dataset] = saved.datasets
    assert dataset.files[0].rows == 40 and not dataset.confirmed
    assert any("Loaded students.csv: 40 rows" in s.value for s in at.success)
    editor = at.data_editor(key=f"data_map_{dataset.id}_{saved.revision}")
    proposed = editor.value
    assert dict(zip(proposed["column"], proposed["role"]))["race_ethnicity"] == "group"
    assert proposed["cut"].isna().any() and editor.proto.placeholder == ""  # an empty cell, not a grey "None"
    # the quality report is on the screen, in sentences, with the unknown code Q
    assert any("the mapping does not know: Q (10 rows)" in e.value for e in at.error)
    assert any("The data set has 40 rows from 1 file" in m.value for m in at.markdown)
    button(at, "Confirm mapping").click().run()
    assert not at.exception
    assert store.load(project.id).datasets[0].confirmed
    assert any("Mapping confirmed" in s.value for s in at.success)


def test_code_labels_typed_in_the_code_table_are_saved_on_confirm(open_page, store):
    project = store.create("North")
    at = upload(open_page("pages/2_Data.py", project=project.id), "students.csv", STUDENTS.encode())
    saved = store.load(project.id)
    dataset = saved.datasets[0]
    key = f"data_codes_{dataset.id}_race_ethnicity_{saved.revision}"
    codes = at.data_editor(key=key).value
    row = list(codes["code"]).index("Q")
    at.session_state[key] = {"edited_rows": {row: {"label": "Other"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    button(at, "Confirm mapping").click().run()
    assert not at.exception
    assert mapping.column_map(store.load(project.id).datasets[0], "race_ethnicity").codes["Q"] == "Other"


def test_a_pdf_named_csv_gets_one_sentence_and_no_data_set(open_page, store):
    project = store.create("North")
    at = upload(open_page("pages/2_Data.py", project=project.id), "report.csv", b"%PDF-1.5 binary")
    assert not at.exception
    assert at.error[0].value.startswith("report.csv is a PDF document")
    assert store.load(project.id).datasets == [] and store.tables(project.id) == []


def test_next_years_file_is_added_and_a_file_can_be_deleted(open_page, store, tmp_path):
    project = store.create("North")
    path = tmp_path / "y1.csv"
    path.write_text(STUDENTS)
    datasets.create_dataset(store, project, path, "y1.csv")
    store.save(project)
    at = open_page("pages/2_Data.py", project=project.id)
    at.file_uploader(key="data_more").upload("y2.csv", STUDENTS.replace("2024-25", "2025-26").encode(), "text/csv")
    at.run()
    next(b for b in at.button if b.key == "data_more_load").click().run()
    assert not at.exception
    assert [f.filename for f in store.load(project.id).datasets[0].files] == ["y1.csv", "y2.csv"]
    assert any("Added y2.csv (40 rows) with the same mapping" in s.value for s in at.success)
    at.selectbox(key="data_delete_target").set_value(store.load(project.id).datasets[0].files[0].id).run()
    button(at, "Delete file").click().run()
    assert [f.filename for f in store.load(project.id).datasets[0].files] == ["y2.csv"]


def test_a_report_cards_unknown_category_is_given_a_dimension_and_a_label(open_page, store):
    from report_card_fixture import report_card_csv

    project = store.create("California")
    at = upload(open_page("pages/2_Data.py", project=project.id), "acgr22.csv", report_card_csv().encode())
    assert not at.exception
    assert any("the mapping does not know: SP (2 rows)" in e.value for e in at.error)
    saved = store.load(project.id)
    dataset = saved.datasets[0]
    key = f"data_codes_{dataset.id}_ReportingCategory_{saved.revision}"
    codes = at.data_editor(key=key).value
    assert list(codes.columns) == ["code", "rows", "dimension", "label"]
    row = list(codes["code"]).index("SP")
    at.session_state[key] = {"edited_rows": {row: {"dimension": "Military-connected",
                                                   "label": "Military-connected students"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    button(at, "Confirm mapping").click().run()
    assert not at.exception and any("Mapping confirmed" in s.value for s in at.success)
    category = mapping.column_map(store.load(project.id).datasets[0], "ReportingCategory")
    assert category.code_dimensions["SP"] == "Military-connected"
    assert category.codes["SP"] == "Military-connected students"
    assert not any("does not know" in e.value for e in at.error)


def test_the_facilitator_presents_the_data_a_slide_at_a_time(open_page, store):
    """On the shared screen the Data page is a deck, not one long page: the file, the groups compared, the outcomes
    and what counts as yes, where and when, each code column's meaning and the quality findings, every one on some
    slide, and nothing to edit."""
    project = store.create("North")
    at = upload(open_page("pages/2_Data.py", project=project.id), "students.csv", STUDENTS.encode())
    saved = store.load(project.id)
    findings = [f.text for f in quality.quality_report(store.cursor(), saved, saved.datasets[0])]
    at.toggle(key="sg_presenting").set_value(True).run()
    where = next(m.value for m in at.markdown if re.match(r"\*\*1 of \d+\*\*", m.value))
    count = int(re.match(r"\*\*1 of (\d+)", where).group(1))
    titles, seen = [], []
    for k in range(count):
        assert not at.exception and not at.data_editor
        assert any(m.value.startswith(f"**{k + 1} of {count}**") for m in at.markdown)
        titles.append(at.header[0].value)
        seen += [e.value for e in (*at.error, *at.warning, *at.markdown, *at.success)]
        seen += [" ".join(map(str, t.value.to_numpy().ravel())) for t in at.table]
        if k < count - 1:
            next(b for b in at.button if b.key == "sg_deck_next").click().run()
    assert titles[:4] == ["Our data: \u201cstudents\u201d", "Groups we compare", "Outcomes",
                          "Places, years and students"]
    assert "What the codes mean" in titles and titles[-1].startswith("Data quality")
    text = " ".join(seen)
    assert "race_ethnicity Race/ethnicity" in text and "graduated Graduation yes: 1" in text
    assert "Q unknown 10" in text and [f for f in findings if esc(f) not in text] == []  # every finding, as the page writes it


def test_a_project_without_data_presents_no_uploader(open_page, store):
    """Presenting a project that has no data yet: a sentence on the slide, no file box or button to click."""
    at = open_page("pages/2_Data.py", project=store.create("North").id)
    at.toggle(key="sg_presenting").set_value(True).run()
    assert not at.exception and not at.get("file_uploader") and not [b for b in at.button if b.key == "data_load"]
    assert any("after leaving presentation mode" in m.value for m in at.markdown)
