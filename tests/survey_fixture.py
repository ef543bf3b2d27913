"""The same SUS and NPS answers as each survey tool exports them, and in the kit's own sus.csv.

The participants are those of :mod:`synthesis_fixture` (R-1 ... R-4). R-1's
answers are the worked example of Tullis & Albert (2013, section 6.5; Brooke
1996 scoring: contributions summing to 22, a score of 55). Each layout is
written the way the tool writes it:

* **Qualtrics** ("Export data", CSV, "Use choice text"): row 1 the column
  ids (StartDate, EndDate, Status, IPAddress, Progress, Duration (in
  seconds), Finished, RecordedDate, ResponseId, ..., DistributionChannel,
  UserLanguage, then Q1, Q2_1 ... Q2_10, Q3, Q3_NPS_GROUP), row 2 the
  questions (a matrix row as "<question> - <statement>"), row 3
  ``{"ImportId":"QID2_1"}``; Status is "IP Address" for a real response and
  "Survey Preview" / "Survey Test" for the researcher's previews and test
  responses (DistributionChannel "preview" / "test"). Choice text of its
  5-point agreement scale: Strongly disagree, Somewhat disagree, Neither
  agree nor disagree, Somewhat agree, Strongly agree.
* **Google Forms** ("Download responses (.csv)"): "Timestamp", then each
  question's text; a multiple-choice grid's rows as "<question> [<row>]",
  here with the columns "1 = Strongly disagree", "2", "3", "4",
  "5 = Strongly agree" (a usual way to put the SUS into a form).
* **SurveyMonkey** ("All individual responses", CSV): row 1 Respondent ID,
  Collector ID, Start Date, End Date, IP Address, Email Address, First
  Name, Last Name, Custom Data 1, then each question, written once above a
  matrix; row 2 "Open-Ended Response" / "Response" / the matrix's
  statements; its 5-point scale: Strongly disagree, Disagree, Neither agree
  nor disagree, Agree, Strongly agree.
"""

from __future__ import annotations

import csv
import io
import json

ANSWERS = {  # participant -> (SUS answers 1-5, how likely to recommend 0-10)
    "R-1": ([4, 3, 3, 2, 3, 3, 4, 3, 3, 4], 9),  # Tullis & Albert's worked example: 55
    "R-2": ([5, 1, 5, 1, 5, 1, 5, 1, 5, 1], 10),
    "R-3": ([3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 6),
    "R-4": ([4, 2, 4, 1, 4, 2, 4, 2, 4, 2], 7),
}
BROOKE = (  # Brooke (1996), "this system" as each survey words it
    "I think that I would like to use this {s} frequently",
    "I found the {s} unnecessarily complex",
    "I thought the {s} was easy to use",
    "I think that I would need the support of a technical person to be able to use this {s}",
    "I found the various functions in this {s} were well integrated",
    "I thought there was too much inconsistency in this {s}",
    "I would imagine that most people would learn to use this {s} very quickly",
    "I found the {s} very cumbersome to use",
    "I felt very confident using the {s}",
    "I needed to learn a lot of things before I could get going with this {s}",
)
QUALTRICS_SCALE = (
    "Strongly disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Strongly agree",
)
MONKEY_SCALE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
FORMS_SCALE = ("1 = Strongly disagree", "2", "3", "4", "5 = Strongly agree")


def brooke_score(answers: list[int]) -> float:
    """Brooke (1996): odd items answer - 1, even items 5 - answer, the sum times 2.5."""
    return sum(a - 1 if i % 2 == 0 else 5 - a for i, a in enumerate(answers)) * 2.5


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def kit_sus_csv() -> str:
    """The kit's own data/sus.csv for the same answers."""
    header = ["participant_id", *(f"q{i}" for i in range(1, 11)), "recommend"]
    return _csv([header, *([pid, *map(str, sus), str(nps)] for pid, (sus, nps) in ANSWERS.items())])


QUALTRICS_META = (  # (id, question text, ImportId JSON)
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/London"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/London"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/London"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
)


def qualtrics_rows(previews: bool = True, extra_id_question: bool = False) -> list[list[str]]:
    """A Qualtrics export (choice text) of the answers, with a preview and a test response first."""
    matrix = "Please rate your agreement with each statement about the checkout."
    questions = [
        ("Q1", "What is your participant ID?", {"ImportId": "QID1_TEXT"}),
        *(
            (f"Q2_{i}", f"{matrix} - {BROOKE[i - 1].format(s='product')}", {"ImportId": f"QID2_{i}"})
            for i in range(1, 11)
        ),
        ("Q3", "How likely are you to recommend Acme Checkout to a friend or colleague?", {"ImportId": "QID3"}),
        (
            "Q3_NPS_GROUP",
            "How likely are you to recommend Acme Checkout to a friend or colleague?",
            {"ImportId": "QID3_NPS_GROUP"},
        ),
    ]
    if extra_id_question:  # an embedded data field as well as the question
        questions.append(("participant_id", "participant_id", {"ImportId": "participant_id"}))
    columns = [*QUALTRICS_META, *questions]
    rows = [
        [c[0] for c in columns],
        [c[1] for c in columns],
        [json.dumps(c[2], separators=(",", ":")) for c in columns],
    ]

    def response(n: int, pid: str, sus: list[int], nps: int, status: str, channel: str) -> list[str]:
        group = "Promoter" if nps >= 9 else "Passive" if nps >= 7 else "Detractor"
        meta = [
            "2026-03-10 14:02:11",
            "2026-03-10 14:09:40",
            status,
            "203.0.113.7",
            "100",
            "449",
            "True",
            "2026-03-10 14:09:41",
            f"R_3kPq9xT2mZ8wLb{n}",
            channel,
            "EN",
        ]
        cells = [*meta, pid, *(QUALTRICS_SCALE[a - 1] for a in sus), str(nps), group]
        return cells + ([pid] if extra_id_question else [])

    if previews:
        rows.append(response(0, "R-1", [1] * 10, 0, "Survey Preview", "preview"))
        rows.append(response(9, "R-2", [5] * 10, 0, "Survey Test", "test"))
    for n, (pid, (sus, nps)) in enumerate(ANSWERS.items(), 1):
        rows.append(response(n, pid, sus, nps, "IP Address", "anonymous"))
    return rows


def qualtrics_csv(previews: bool = True, extra_id_question: bool = False) -> str:
    return _csv(qualtrics_rows(previews, extra_id_question))


def google_forms_rows() -> list[list[str]]:
    grid = "Please rate your agreement with each statement."
    header = [
        "Timestamp",
        "Participant ID",
        *(f"{grid} [{s.format(s='website')}]" for s in BROOKE),
        "How likely are you to recommend this website to a friend or colleague?",
    ]
    rows = [header]
    for n, (pid, (sus, nps)) in enumerate(ANSWERS.items()):
        rows.append([f"2026/03/1{n} 2:1{n}:07 PM GMT", pid, *(FORMS_SCALE[a - 1] for a in sus), str(nps)])
    return rows


def google_forms_csv() -> str:
    return _csv(google_forms_rows())


def surveymonkey_csv() -> str:
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    matrix = "Please indicate how much you agree with each statement about the system."
    row1 = [
        *meta,
        "Participant ID",
        matrix,
        *([""] * 9),
        "How likely is it that you would recommend this system to a friend or colleague?",
    ]
    row2 = [*([""] * len(meta)), "Open-Ended Response", *(s.format(s="system") for s in BROOKE), "Response"]
    rows = [row1, row2]
    for n, (pid, (sus, nps)) in enumerate(ANSWERS.items()):
        rows.append(
            [
                f"11482973{n}05",
                "431207218",
                "03/10/2026 02:02:11 PM",
                "03/10/2026 02:09:40 PM",
                "203.0.113.7",
                "",
                "",
                "",
                "",
                pid,
                *(MONKEY_SCALE[a - 1] for a in sus),
                str(nps),
            ]
        )
    return _csv(rows)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """The rows as the tool's Excel export (one sheet, text cells, numbers as numbers)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([int(c) if c.isdigit() else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
