"""The operator's CSV exports: a header, empty cells for None, formulas defused."""

from ocpihub.hub.csv_export import to_csv


def test_header_rows_and_formula_cells() -> None:
    rows = [
        {"id": 1, "note": "=HYPERLINK(1)", "extra": "ignored"},
        {"id": 2, "note": None},
        {"id": 3, "note": "-2", "other": "@x"},
    ]
    assert to_csv(["id", "note", "other"], rows).splitlines() == [
        "id,note,other",
        "1,'=HYPERLINK(1),",
        "2,,",
        "3,'-2,'@x",
    ]
