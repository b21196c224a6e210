"""A corpus of drifted CRM workbooks built from one set of records (issue 14 item 6)."""
