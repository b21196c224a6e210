"""A corpus of drifted CRM workbooks built from one set of records."""
