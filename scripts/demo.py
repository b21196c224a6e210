"""`make demo`: build a sample workbook and inspect it (extended as actions land)."""
