"""workbook_tools: keep a CRM workbook (客户关系管理工作簿) healthy from Python, the CLI or Excel.

Every action follows one path: read the workbook into a model, run a pure operation that
returns findings and a :class:`~workbook_tools.changeset.Changeset`, then apply the
changeset to the file on disk or to the open workbook in Excel.
"""

__version__ = "0.1.0"
