"""Pure operations: each takes a WorkbookModel and returns an ActionResult (never touches files)."""
