"""The statistics as an Excel workbook laid out like a yearly 実績報告: a summary sheet with the
評価指標, then one sheet per table of the page, and the definitions. Counts only."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from console import stats

HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDE7F3")


def _table(ws, head: list[str], body: list[list], start_row: int | None = None) -> None:
    row = start_row or ws.max_row + 2
    for col, title in enumerate(head, 1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font, cell.fill = HEAD, FILL
    for values in body:
        row += 1
        for col, value in enumerate(values, 1):
            ws.cell(row=row, column=col, value=value)


def _widths(ws, widths: list[int]) -> None:
    for n, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width


def _sheet(wb, title: str, heading: str, widths: list[int]):
    ws = wb.create_sheet(title)
    ws["A1"] = heading
    ws["A1"].font = Font(bold=True, size=13)
    _widths(ws, widths)
    return ws


def workbook(report: stats.Report, indicators: dict | None, coordinator: str = "") -> bytes:
    w = stats.wording()
    f = w["figures"]
    wb = Workbook()
    ws = wb.active
    ws.title = "実績報告"
    ws["A1"] = f"重層的支援体制整備事業 実績報告 {report.period.label}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"集計期間 {report.period.first:%Y年%m月%d日} 〜 {report.period.last:%Y年%m月%d日}（日本時間）"
    _widths(ws, [34, 14, 70])
    t, cases = report.totals, report.cases
    body = [[f["intakes"]["title"], t["intakes"], f["intakes"]["definition"]]]
    if cases:
        nc = cases["new_continued"]
        body += [["相談件数（実件数）", nc["total"], f["cases_new_continued"]["definition"]],
                 ["　うち新規", nc["new"], ""], ["　うち継続", nc["continued"], ""],
                 [f["contacts"]["title"], cases["contacts"]["total"], f["contacts"]["definition"]]]
    body += [[f["after_hours"]["title"] + "（%）", t["after_hours_share"], f["after_hours"]["definition"]],
             [f["crisis"]["title"], t["crisis"], f["crisis"]["definition"]],
             [f["third_party"]["title"], t["third_party"], f["third_party"]["definition"]],
             [f["consent"]["title"] + "（%）", report.consent["rate"], f["consent"]["definition"]],
             [f["referrals"]["title"] + "（件）", report.referrals["total"], f["referrals"]["definition"]]]
    if cases:
        waits, sla = cases["waits"], cases["sla"]
        body += [["初回対応（担当決定）まで 中央値（時間）", waits["claim"]["median_hours"], f["first_contact"]["definition"]],
                 ["初回対応（担当決定）まで 90パーセンタイル（時間）", waits["claim"]["p90_hours"], ""],
                 ["初回接触まで 中央値（時間）", waits["contact"]["median_hours"], f["first_contact_person"]["definition"]],
                 ["初回接触まで 90パーセンタイル（時間）", waits["contact"]["p90_hours"], ""],
                 [f["sla"]["title"] + "（%）", sla["rate"], f["sla"]["definition"]],
                 ["支援プラン 作成", cases["plans"]["made"], f["plans"]["definition"]],
                 ["支援プラン 承認", cases["plans"]["approved"], ""],
                 [f["closed"]["title"] + "（件）", cases["closed"]["total"], f["closed"]["definition"]]]
    _table(ws, ["項目", "数", "定義"], body, start_row=4)
    if indicators:
        _table(ws, ["評価指標（重層的支援体制整備事業 実施計画）", "実績", "定義"],
               [[w["indicators"][k]["title"], v, w["indicators"][k]["definition"]] for k, v in indicators.items()])
    for row in ws.iter_rows(min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    ws = _sheet(wb, "推移", f["over_time"]["title"], [14, 12])
    _table(ws, ["月" if report.period.kind == "year" else "日", "受付件数"],
           [[r.key, r.value] for r in report.over_time], start_row=3)

    ws = _sheet(wb, "相談内容", f["categories"]["title"], [30, 12, 12])
    _table(ws, ["項目", "〇（件）", "◎（件）"],
           [[r.label, r.value, r.extra["primary"]] for r in report.categories], start_row=3)

    ws = _sheet(wb, "経路・相談者", f["channels"]["title"] + "・" + f["reporters"]["title"], [24, 12])
    _table(ws, ["受付経路", "件"], [[r.label, r.value] for r in report.channels], start_row=3)
    _table(ws, ["相談者", "件"], [[r.label, r.value] for r in report.reporters])
    _table(ws, ["同意（情報共有）", "件"], [[r.label, r.value] for r in report.consent["rows"]])

    statuses = report.referrals["statuses"]
    ws = _sheet(wb, "つなぎ先", f["referrals"]["title"], [30] + [10] * (len(statuses) + 1))
    _table(ws, ["機関"] + [w["referral_statuses"][s] for s in statuses] + ["計"],
           [[r.label] + [r.extra.get(s, 0) for s in statuses] + [r.value] for r in report.referrals["agencies"]]
           + [["計"] + [report.referrals["totals"].get(s, 0) for s in statuses] + [report.referrals["total"]]],
           start_row=3)

    if cases:
        ws = _sheet(wb, "対応・会議・終結", "対応回数・会議・終結", [30, 12])
        _table(ws, ["対応の方法", "回"], [[cases["labels"]["methods"].get(k, k), v]
                                          for k, v in cases["contacts"]["by_method"].items()], start_row=3)
        _table(ws, ["会議の種類", "回"], [[cases["labels"]["meetings"].get(k, k), v]
                                          for k, v in cases["meetings"].items()])
        _table(ws, ["終結の理由", "件"], [[cases["labels"]["outcomes"].get(k, k), v]
                                          for k, v in cases["closed"]["by_outcome"].items()])

    ws = _sheet(wb, "定義", "定義", [34, 90])
    _table(ws, ["項目", "定義"], [[v["title"], v["definition"]] for v in f.values()], start_row=3)
    for row in ws.iter_rows(min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
