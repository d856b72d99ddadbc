"""In a real browser: a data lead uploads a CSV on the Data page and reads the quality report."""

CSV = ("student_id,school_name,school_year,race_ethnicity,disability,graduated\n"
       + "".join(f"{1000 + i},North High,2024-25,{'HBWQ'[i % 4]},{'YN'[i % 2]},{i % 3 and 1 or 0}\n" for i in range(40)))


def test_uploading_a_csv_shows_the_mapping_and_the_quality_report(page, ready, new_project, open_step, tmp_path):
    open_step(page, "Data", new_project("Browser data test"))
    path = tmp_path / "students.csv"
    path.write_text(CSV)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_role("button", name="Load file").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Load file') && !b.disabled)")
    page.get_by_role("button", name="Load file").click()
    page.get_by_text("Loaded students.csv: 40 rows").wait_for(timeout=60_000)
    ready(page)
    page.get_by_text("Data quality").wait_for()
    page.get_by_text("the mapping does not know: Q (10 rows)").wait_for()
    page.get_by_text("The data set has 40 rows from 1 file").wait_for()
    page.get_by_role("button", name="Confirm mapping").click()
    page.get_by_text("Mapping confirmed").wait_for(timeout=60_000)
