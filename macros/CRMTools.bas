Attribute VB_Name = "CRMTools"
' Ribbon callbacks of the CRM tools add-in (built by: wbt excel build-addin).
'
' Every button on the "CRM" ribbon tab calls CRM_OnAction; the button's Tag is the key of an
' action in workbook_tools/actions.py (validate, ids, tiers, review, ...). RunAction asks what
' the action needs (the month of a review), then hands the work to Python through the xlwings
' add-in's RunPython:
'     import workbook_tools.excel as x; x.run('<key>', book='<hex>', hwnd=<n>, month='<YYYY-MM>')
' book is the FullName of the workbook the user clicked from (ActiveWorkbook), written as hex
' UTF-16 code units so that no quote, percent sign or non-ASCII letter in a path can break the
' command line; hwnd names this Excel instance. Python opens exactly that book in exactly that
' Excel, so two open workbooks or two Excel instances never get mixed up.
' Application.Run is used instead of a VBA reference to xlwings, so this add-in needs no
' Tools > References entry and works wherever xlwings.xlam is installed.
'
' This file is kept in ASCII on purpose: VBA stores source text in the code page of the PC, so a
' Chinese string literal would turn into garbage on a Windows whose system locale is not Chinese.
' Every text shown here comes from Txt() in the module CRMText, which the build generates from
' workbook_tools/excel/addin/vbatext.py with each character as a number (ChrW).
'
' The four Private procedures at the end (CallerBook, Ask, Say, CallPython) are the only ones
' that talk to Excel or xlwings; tests/test_vba_basic.py runs this module in LibreOffice Basic
' with those four replaced by recorders.
Option Explicit

Private Const XLWINGS_RUNPYTHON As String = "'xlwings.xlam'!RunPython"

' Ribbon callback for every button (onAction="CRM_OnAction").
Public Sub CRM_OnAction(control As IRibbonControl)
    RunAction control.Tag
End Sub

' What a button does, given its action key.
Public Sub RunAction(ByVal key As String)
    Dim book As Object, period As String, command As String
    If Not IsActionKey(key) Then
        Say Replace(Txt(TXT_BAD_KEY), "{0}", key), vbCritical
        Exit Sub
    End If
    Set book = CallerBook()
    If book Is Nothing Then
        Say Txt(TXT_NO_WORKBOOK), vbExclamation
        Exit Sub
    End If
    If NeedsMonth(key) Then
        period = AskMonth(LastMonth(Date))
        If period = "" Then Exit Sub  ' cancelled: nothing happens
    End If
    command = PythonCommand(key, book.FullName, ExcelHwnd(), period)
    On Error GoTo RunFailed
    CallPython command
    Exit Sub
RunFailed:
    Say Txt(TXT_NO_XLWINGS) & vbCrLf & vbCrLf & Err.Description, vbCritical
End Sub

' The Python statement RunPython runs for one click.
Public Function PythonCommand(ByVal key As String, ByVal fullName As String, ByVal hwnd As Long, _
                              ByVal period As String) As String
    PythonCommand = "import workbook_tools.excel as x; x.run('" & key & "', book='" & HexText(fullName) _
        & "', hwnd=" & CStr(hwnd) & ", month='" & period & "')"
End Function

' Action keys are lower-case ASCII names (they go into the Python command as they are).
Public Function IsActionKey(ByVal key As String) As Boolean
    Dim i As Long, ch As String
    If Len(key) = 0 Or Len(key) > 40 Then Exit Function
    For i = 1 To Len(key)
        ch = Mid$(key, i, 1)
        If Not ((ch >= "a" And ch <= "z") Or ch = "_") Then Exit Function
    Next i
    IsActionKey = True
End Function

Public Function NeedsMonth(ByVal key As String) As Boolean
    NeedsMonth = (key = "review" Or key = "month_end")
End Function

' "YYYY-MM" of the month before the given day.
Public Function LastMonth(ByVal today As Date) As String
    Dim d As Date
    d = DateSerial(Year(today), Month(today), 1) - 1
    LastMonth = Format$(Year(d), "0000") & "-" & Format$(Month(d), "00")
End Function

' Ask for the month until the answer is a month or the user cancels ("" then).
Public Function AskMonth(ByVal suggested As String) As String
    Dim answer As String, prompt As String
    prompt = Txt(TXT_MONTH_PROMPT)
    Do
        answer = Trim$(Ask(prompt, suggested))
        If answer = "" Then Exit Function
        AskMonth = NormalMonth(answer)
        If AskMonth <> "" Then Exit Function
        prompt = Replace(Txt(TXT_MONTH_BAD), "{0}", answer) & vbCrLf & vbCrLf & Txt(TXT_MONTH_PROMPT)
        suggested = answer
    Loop
End Function

' "2026-10", "2026/10", "2026.1", "2026<nian>10<yue>" -> "2026-10"; anything else -> "".
Public Function NormalMonth(ByVal text As String) As String
    Dim parts() As String, y As Long, m As Long
    text = Replace(Replace(Replace(Trim$(text), "/", "-"), ".", "-"), ChrW(24180), "-")
    If Right$(text, 1) = ChrW(26376) Then text = Left$(text, Len(text) - 1)
    parts = Split(text, "-")
    If UBound(parts) <> 1 Then Exit Function
    If Len(parts(0)) <> 4 Or Len(parts(1)) < 1 Or Len(parts(1)) > 2 Then Exit Function
    If Not IsDigits(parts(0)) Or Not IsDigits(parts(1)) Then Exit Function
    y = CLng(parts(0))
    m = CLng(parts(1))
    If y < 1900 Or m < 1 Or m > 12 Then Exit Function
    NormalMonth = Format$(y, "0000") & "-" & Format$(m, "00")
End Function

Private Function IsDigits(ByVal text As String) As Boolean
    Dim i As Long
    For i = 1 To Len(text)
        If Mid$(text, i, 1) < "0" Or Mid$(text, i, 1) > "9" Then Exit Function
    Next i
    IsDigits = Len(text) > 0
End Function

' Text as hex UTF-16 code units, 4 digits each ("A1" -> "00410031"): ASCII digits and letters only.
Public Function HexText(ByVal text As String) As String
    Dim i As Long, code As Long
    For i = 1 To Len(text)
        code = AscW(Mid$(text, i, 1)) And &HFFFF&
        HexText = HexText & Right$("000" & Hex$(code), 4)
    Next i
End Function

' The window handle of this Excel (0 where there is none, e.g. on a Mac).
Private Function ExcelHwnd() As Long
    On Error Resume Next
    ExcelHwnd = Application.Hwnd
End Function

' ---- the only procedures that talk to Excel or xlwings ----------------------------------------

Private Function CallerBook() As Object
    On Error Resume Next
    Set CallerBook = Application.ActiveWorkbook
End Function

Private Function Ask(ByVal prompt As String, ByVal suggested As String) As String
    Ask = InputBox(prompt, Txt(TXT_TITLE), suggested)
End Function

Private Sub Say(ByVal text As String, ByVal icon As Long)
    MsgBox text, icon, Txt(TXT_TITLE)
End Sub

Private Sub CallPython(ByVal command As String)
    Application.Run XLWINGS_RUNPYTHON, command
End Sub
