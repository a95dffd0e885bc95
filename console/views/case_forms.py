"""The case page's forms (Flask-WTF: every one carries a CSRF token). Each also carries the
state it was drawn in, so a form from an older page is refused with a message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, FieldList, Form, FormField, HiddenField,
                     IntegerField, RadioField, SelectField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from console import lifecycle
from console.cases import CONTACT_METHODS, MEETING_KINDS

REQUIRED = _l("入力してください。")


def _choices(key: str, values) -> list[SelectChoice]:
    words = lifecycle.wording()[key]
    return [SelectChoice(v, _l(words[v])) for v in values]


class JapaneseMessages:
    """WTForms' own messages ("Not a valid choice.") in the console's language: Japanese from
    WTForms' ja catalogue, English as WTForms writes them."""

    @property
    def locales(self):
        from console import i18n
        return ("ja_JP", "ja") if i18n.current() == "ja" else False

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)  # Flask-WTF's would need Flask-Babel


class CaseForm(FlaskForm):
    class Meta(JapaneseMessages):
        pass

    state = HiddenField()  # the state the page showed (required: console/views/cases.py act())


class ClaimForm(CaseForm):
    pass


class ReleaseForm(CaseForm):
    assignee = HiddenField()


class ReassignForm(CaseForm):
    assignee = HiddenField()
    to_staff = SelectField(_l("引き継ぐ職員"), coerce=int, validate_choice=False,
                           validators=[InputRequired(_l("引き継ぐ職員を選んでください。"))])


class TriageForm(CaseForm):
    triage_class = RadioField(_l("振り分け"), choices=_choices("triage_classes", lifecycle.TRIAGE_CLASSES),
                              validators=[DataRequired(_l("①〜④を選んでください。"))])
    reason = TextAreaField(_l("理由（短く）"), validators=[DataRequired(REQUIRED), Length(max=500)])


class MoveForm(CaseForm):
    # a plain field, so hidden_tag() leaves it to the button's own hidden input
    to_state = StringField(_l("移る先"), validators=[DataRequired(_l("移る先がありません。"))])


class MemberForm(Form):
    name = StringField(_l("氏名"), validators=[Optional(), Length(max=100)])
    organisation = StringField(_l("所属"), validators=[Optional(), Length(max=100)])
    pledged = BooleanField(_l("守秘義務を誓約"))


class MeetingForm(CaseForm):
    kind = RadioField(_l("種類"), choices=_choices("meeting_kinds", MEETING_KINDS), validators=[DataRequired(_l("種類を選んでください。"))])
    held_on = DateField(_l("開催日"), validators=[DataRequired(_l("開催日を入力してください。"))])
    members = FieldList(FormField(MemberForm), min_entries=5, max_entries=20)
    outcome = TextAreaField(_l("結果・決まったこと"), validators=[Optional(), Length(max=2000)])


class TaskForm(Form):
    who = StringField(_l("だれが"), validators=[Optional(), Length(max=100)])
    what = StringField(_l("なにをする"), validators=[Optional(), Length(max=500)])


class PlanForm(CaseForm):
    goals = TextAreaField(_l("目標（本人の言葉で）"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    tasks = FieldList(FormField(TaskForm), min_entries=4, max_entries=20)
    review_on = DateField(_l("次の見直し日"), validators=[Optional()])
    meeting_id = IntegerField(validators=[Optional()])


class ApproveForm(CaseForm):
    pass


class ContactForm(CaseForm):
    method = SelectField(_l("方法"), choices=_choices("contact_methods", CONTACT_METHODS))
    happened_at = DateTimeLocalField(_l("日時"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("日時を入力してください。"))])
    note = TextAreaField(_l("メモ"), validators=[Optional(), Length(max=2000)])


class CloseForm(CaseForm):
    outcome = RadioField(_l("終結の理由"), choices=_choices("outcomes", lifecycle.OUTCOMES),
                         validators=[DataRequired(_l("終結の理由を選んでください。"))])
    note = TextAreaField(_l("メモ"), validators=[Optional(), Length(max=2000)])


class ReopenForm(CaseForm):
    reason = TextAreaField(_l("再開の理由"), validators=[DataRequired(REQUIRED), Length(max=500)])


class OverrideForm(CaseForm):
    purpose = SelectField(_l("目的"), choices=[SelectChoice("share", _l("情報共有")), SelectChoice("meeting", _l("会議"))])
    reason = TextAreaField(_l("理由（例：支援会議で共有を決定）"), validators=[DataRequired(REQUIRED), Length(max=1000)])
