Attribute VB_Name = "CRMTools"
' Ribbon callbacks of the CRM tools add-in (built by: wbt excel build-addin).
'
' Every button on the "CRM" ribbon tab calls CRM_OnAction; the button's Tag is the key of an
' action in workbook_tools/actions.py (validate, ids, tiers, review, ...). The work itself is
' done in Python by workbook_tools.excel.run(key), started through the xlwings add-in's
' RunPython. Application.Run is used instead of a VBA reference to xlwings, so this add-in
' needs no Tools > References entry and works wherever xlwings.xlam is installed.
'
' This file is kept in ASCII on purpose, so it reads the same on every Windows code page. The
' bilingual messages live on the add-in's own sheet "CRM" (column B Chinese, C English); the
' row numbers below are checked against that sheet by tests/test_addin.py.
Option Explicit

Private Const XLWINGS_RUNPYTHON As String = "'xlwings.xlam'!RunPython"
Private Const MSG_NO_WORKBOOK As Long = 2
Private Const MSG_NO_XLWINGS As Long = 3

' Ribbon callback for every button (onAction="CRM_OnAction").
Public Sub CRM_OnAction(control As IRibbonControl)
    Dim key As String
    key = control.Tag
    If ActiveWorkbook Is Nothing Then
        MsgBox Message(MSG_NO_WORKBOOK), vbExclamation, "CRM"
        Exit Sub
    End If
    On Error GoTo RunFailed
    Application.Run XLWINGS_RUNPYTHON, _
        "import workbook_tools.excel as x; x.run('" & key & "')"
    Exit Sub
RunFailed:
    MsgBox Message(MSG_NO_XLWINGS) & vbCrLf & vbCrLf & Err.Description, vbCritical, "CRM"
End Sub

' A message from the add-in's sheet: Chinese line, then English line.
Private Function Message(row As Long) As String
    With ThisWorkbook.Worksheets(1)
        Message = .Cells(row, 2).Value & vbCrLf & .Cells(row, 3).Value
    End With
End Function
