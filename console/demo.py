"""`tsunagu demo` cases: residents talk to the real dialog (workers.conversation.handle_input,
as the web chat does), then staff act through console/cases.py, so every demo case is made
by the same code paths as a real one. Seeded once: an existing database is left alone."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from sqlmodel import func, select

from console import cases, referrals
from dialogs.messages import Input, InputKind
from dialogs.state import DialogState
from models import Agency, Conversation, Intake, StaffUser
from models.base import utcnow
from models.db import session_scope
from workers.conversation import handle_input

MAX_STEPS = 80
# the states each demo target passes through after 振り分け
PATHS = {
    "new": [], "claimed": [], "triaged": [], "collaborating": ["collaborating"],
    "meeting": ["meeting"], "planning": ["meeting", "planning"], "supporting": ["meeting", "planning", "supporting"],
    "monitoring": ["meeting", "planning", "supporting", "monitoring"],
    "closed": ["closed"], "reopened": ["closed", "reopened"],
    # referrals (console/referrals.py): to the demo agency account's 生活自立支援課 ("seikatsu")
    "referring": ["refer"], "accepted": ["refer", "accept"], "returned": ["refer", "send_back"],
}


@cache
def demo_cases() -> list[dict]:
    with open(Path(__file__).parent / "data" / "demo_cases.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["cases"]


def _choice(value: str) -> Input:
    return Input(InputKind.CHOICE, value=value)


def _text(text: str) -> Input:
    return Input(InputKind.TEXT, text=text)


def _answer(state: DialogState, offered: list[str], who: dict) -> Input:
    """What this resident answers to the question the dialog asks now."""
    step = state.state.value
    if step == "checklist":
        wanted = set(who.get("items") or [])
        for value in offered:
            item = value.split(":", 1)[1] if value.startswith("checklist:") else None
            if item and (item in wanted) != (item in state.selected):
                return _choice(value)
        return _choice("nav:next")
    if step == "household":  # several members: tick each, then 「ほかにはない」
        chosen = state.answers.get("household") or []
        for member in who.get("household") or ["unknown"]:
            if member not in chosen and f"household:{member}" in offered:
                return _choice(f"household:{member}")
        return _choice("nav:done")
    if step == "suggest":
        return _choice("suggest:ok" if set(state.selected) == set(who.get("items") or []) else "suggest:change")
    texts = {"area": who.get("area") or "nav:none", "concern": who["concern"], "details": "nav:none",
             "phone": who.get("phone", "090-0000-0000"), "address": "八王子市内（詳しくは電話で）"}
    if step in texts:
        value = texts[step]
        return _choice(value) if value.startswith("nav:") else _text(value)
    answers = {"who": who["who"], "relation": who.get("relation"), "age": who.get("age"), "primary": who.get("primary"), "since": who.get("since"),
               "contact": who.get("contact", "line"), "contact_time": "anytime", "voicemail": "yes",
               "consent_share": who.get("share", "no"), "consent_meeting": who.get("meeting", "no"),
               "person_knows": "unknown", "proxy_consent": "none", "contact_safety": "safe", "confirm": "submit"}
    value = f"{step}:{answers.get(step)}"
    if value in offered:
        return _choice(value)
    return _choice(offered[0]) if offered else _choice("nav:next")


def file_intake(who: dict, now: datetime, coordinator: str) -> int | None:
    """One resident's whole conversation in the web chat; the intake it produced."""
    user_key = "demo-" + secrets.token_hex(8)
    with session_scope() as db:
        messages = handle_input(db, "web", user_key, Input(InputKind.START), now, coordinator)
    for n in range(MAX_STEPS):
        with session_scope() as db:
            conv = db.exec(select(Conversation).where(Conversation.channel == "web",
                                                      Conversation.user_key == user_key)).one()
            state = DialogState.from_dict(conv.state)
            if n and not state.in_progress:
                break
            offered = [c.value for m in messages for c in (m.choices or [])]
            messages = handle_input(db, "web", user_key, _answer(state, offered, who),
                                    now + timedelta(seconds=10 * (n + 1)), coordinator)
    with session_scope() as db:
        return db.exec(select(Intake.id).where(Intake.user_key == user_key).order_by(Intake.id.desc())).first()


def _staff(db, username: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


def work_case(intake_id: int, who: dict) -> None:
    """What staff did with the case, up to its demo target."""
    target = who["target"]
    if target == "new":
        return
    with session_scope() as db:
        intake, me = db.get(Intake, intake_id), _staff(db, "suishin")
        cases.claim(db, intake, me)
        if target == "claimed":
            return
        cases.triage(db, intake, me, who["triage"], who["reason"])
        for step in PATHS[target]:
            if step == "collaborating":
                cases.transition(db, intake, me, "collaborating")
            elif step == "meeting":
                kind = who.get("meeting_kind", "shien")
                members = [{"name": "推進員（デモ）", "organisation": "福祉部", "pledged": True},
                           {"name": "山田 花子", "organisation": "高齢者あんしん相談センター", "pledged": True},
                           {"name": "佐藤 一郎", "organisation": "民生委員", "pledged": True}]
                cases.log_contact(db, intake, me, "phone", utcnow() - timedelta(days=3), "状況を聞き取り")
                cases.record_meeting(db, intake, me, kind, date.today() - timedelta(days=2), members,
                                     "役割分担を確認した")
            elif step == "planning":
                cases.record_plan(db, intake, me, "安心して暮らせるようになりたい（本人の言葉）",
                                  [{"who": "推進員", "what": "月1回の電話"}, {"who": "関係機関", "what": "制度の申請を手伝う"}],
                                  date.today() + timedelta(days=30))
            elif step == "supporting":
                plan_id = max(p.id for p in _plans(db, intake_id))
                cases.approve_plan(db, intake, _staff(db, "admin"), plan_id)
                cases.log_contact(db, intake, me, "accompany", utcnow() - timedelta(days=1), "窓口に同行した")
            elif step == "monitoring":
                cases.log_contact(db, intake, me, "visit", utcnow() - timedelta(hours=5), "自宅を訪問")
                cases.transition(db, intake, me, "monitoring")
            elif step == "closed":
                cases.log_contact(db, intake, me, "phone", utcnow() - timedelta(days=1), "結果を確認")
                cases.close(db, intake, me, who["outcome"], "デモの終結")
            elif step == "reopened":
                cases.reopen(db, intake, me, "本人から再び連絡があった")
            elif step == "refer":
                agency = db.exec(select(Agency).where(Agency.code == who["refer_to"])).one()
                (referral,) = referrals.refer(db, intake, me, [agency.id], who.get("request", ""))
            elif step == "accept":
                referrals.accept(db, referral.id, _staff(db, "agency"))
            elif step == "send_back":
                referrals.send_back(db, referral.id, _staff(db, "agency"), who["proposal"])


def _plans(db, intake_id: int):
    from models import SupportPlan

    return db.exec(select(SupportPlan).where(SupportPlan.intake_id == intake_id)).all()


def seed_demo_cases(coordinator: str, now: datetime | None = None) -> int:
    """About 30 cases in every state. Does nothing if the database already has intakes."""
    with session_scope() as db:
        if db.exec(select(func.count()).select_from(Intake)).one():
            return 0
        suishin = _staff(db, "suishin")
        suishin.team = suishin.team or "city"
    now = now or utcnow()
    made = 0
    for who in demo_cases():
        intake_id = file_intake(who, now - timedelta(hours=who["hours_ago"]), coordinator)
        if intake_id is None:
            continue
        work_case(intake_id, who)
        made += 1
    return made
