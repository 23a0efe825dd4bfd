"""New application wizard: region and call, alliance, lead unit -> a stored draft application."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QWidget,
                               QWizard, QWizardPage)

from alliance_desk import listing

FORMAT_ID = "alliance-desk/application@1"
NAME_MIN, NAME_MAX = 4, 100


def _now_minute(now: datetime | None = None) -> str:
    """Now, rounded to the nearest minute, as the format's local date-time (YYYY-MM-DDTHH:MM)."""
    now = now or datetime.now()
    rounded = now.replace(second=0, microsecond=0)
    if now.second >= 30:
        rounded += timedelta(minutes=1)
    return rounded.strftime("%Y-%m-%dT%H:%M")


def default_submitted_at(call, now: datetime | None = None) -> tuple[str, bool]:
    """The submission time a new application starts with: now, unless that lies outside the call's
    window (a past call), then the call's deadline, the last moment the call accepts. Returns the
    time and whether it was moved into the window."""
    text = _now_minute(now)
    deadline = getattr(call, "closes", None)
    if deadline is not None and datetime.fromisoformat(text) > deadline:
        return deadline.strftime("%Y-%m-%dT%H:%M"), True
    opens = getattr(call, "opens", None)  # a call that states when it opens (not every pack does)
    if isinstance(opens, datetime) and datetime.fromisoformat(text) < opens:
        return opens.strftime("%Y-%m-%dT%H:%M"), True
    return text, False


def _combo_text(combo: QComboBox) -> str:
    """The chosen value of an (editable) combo: its data when an item is selected, else the text."""
    text = combo.currentText().strip()
    i = combo.currentIndex()
    if i >= 0 and combo.itemText(i) == combo.currentText() and combo.itemData(i) is not None:
        return str(combo.itemData(i))
    return text


def _named(widget, name: str):
    """`widget` with its object name set (tests and style sheets find it by that name)."""
    widget.setObjectName(name)
    return widget


class _Page(QWizardPage):
    """A page of the wizard with its title and subtitle; `self.w` is the wizard."""

    def __init__(self, wizard: "NewApplicationWizard", title: str, subtitle: str):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)

    def _form(self, *rows) -> None:
        """Lay the page out as a form of (label, widget) rows."""
        form = QFormLayout(self)
        for label, widget in rows:
            form.addRow(label, widget)


class _RegionPage(_Page):
    def __init__(self, wizard: "NewApplicationWizard"):
        super().__init__(wizard, self.tr("地区与申报批次"), self.tr("选择申报所属地区的规则包，以及本次申报批次和推荐单位。"))
        self.region = _named(QComboBox(self), "regionCombo")
        for pack in wizard.packs.values():
            self.region.addItem(pack.region_name, pack.id)
            self.region.setItemData(self.region.count() - 1, f"{pack.name}（{pack.authority}）",
                                    Qt.ItemDataRole.ToolTipRole)
        self.call = _named(QComboBox(self), "callCombo")
        self.county = _named(QComboBox(self), "countyCombo")
        self.county.setEditable(True)
        self.county.lineEdit().setPlaceholderText(self.tr("如：榆次区、于都县"))
        self.scheme = QLabel(self)
        self.scheme.setWordWrap(True)
        self.when = _named(QLabel(self), "submittedAtHint")
        self.when.setWordWrap(True)
        self._form(
            (self.tr("地区(&R)："), self.region),
            (self.tr("申报批次(&C)："), self.call),
            (self.tr("县区/推荐单位(&U)："), self.county),
            ("", self.scheme),
            (self.tr("提交时间："), self.when),
        )
        self.call.currentIndexChanged.connect(lambda _i: self._show_when())
        self.region.currentIndexChanged.connect(self._region_changed)
        self.county.editTextChanged.connect(lambda _t: self.completeChanged.emit())
        self._region_changed()

    def _region_changed(self) -> None:
        region = self.region.currentData()
        pack = self.w.packs[region]
        self.call.clear()
        from alliance_desk.store.calls import list_calls

        # open calls first (newest first), then the closed ones, marked as such
        for c in list_calls(self.w.db, region):
            deadline = self.tr("，截止 {0}").format(c.deadline.strftime("%Y-%m-%d %H:%M")) if c.deadline else ""
            self.call.addItem(self.tr("{0}（已关闭）").format(c.name) if c.closed else c.name + deadline, c.id)
        self.call.addItem(self.tr("（不指定批次）"), None)
        counties, industries = listing.suggestions_for_region(self.w.db, region)
        self.county.clear()
        self.county.addItems(counties)
        self.county.setEditText("")  # counties differ per region: the clerk picks or types one
        self.w.industry_suggestions = industries
        self.scheme.setText(self.tr("{name}，{authority}；推荐单位：{rec}").format(
            name=pack.name, authority=pack.authority, rec=pack.info.get("recommender", "")))
        self._show_when()
        self.completeChanged.emit()

    def selected_call(self):
        """The call chosen in the combo, the pack's or one the office added (None: no call)."""
        from alliance_desk import store

        if not self.call.currentData():
            return None
        with self.w.db.Session() as s:
            return store.calls_for(s, self.region.currentData()).get(self.call.currentData())

    def _show_when(self) -> None:
        call = self.selected_call()
        when, moved = default_submitted_at(call)
        shown = when.replace("T", " ")
        closes = call.closes if call is not None else None
        past = moved and closes is not None and when == closes.strftime("%Y-%m-%dT%H:%M")
        if past:
            text = self.tr("{when}（本批次截止时间：现在已过截止，按截止时间预填，请在编辑器中改为实际报送时间）")
        elif moved:
            text = self.tr("{when}（本批次开始受理时间：现在尚未开始，按开始时间预填，可在编辑器中修改）")
        elif closes is not None:
            text = self.tr("{when}（现在；本批次截止 {deadline}，可在编辑器中修改）")
        else:
            text = self.tr("{when}（现在，可在编辑器中修改）")
        self.when.setText(text.format(when=shown, deadline=closes.strftime("%Y-%m-%d %H:%M") if closes else ""))

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return bool(self.county.currentText().strip())


class _AlliancePage(_Page):
    def __init__(self, wizard: "NewApplicationWizard"):
        super().__init__(wizard, self.tr("联盟"), self.tr("联盟名称和所属产业领域。"))
        self.name = _named(QLineEdit(self), "nameEdit")
        self.name.setMaxLength(NAME_MAX)
        self.name_hint = QLabel(self)
        self.industry = _named(QComboBox(self), "industryCombo")
        self.industry_hint = QLabel(self)
        self.industry_hint.setWordWrap(True)
        self._form(
            (self.tr("联盟名称(&N)："), self.name),
            ("", self.name_hint),
            (self.tr("产业领域(&I)："), self.industry),
            ("", self.industry_hint),
        )
        self.name.textChanged.connect(self._name_changed)
        self.industry.editTextChanged.connect(lambda _t: self.completeChanged.emit())
        self.industry.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        pack = self.w.packs[self.w.region_page.region.currentData()]
        # the example speaks the region's own words: its name and what its notice calls an alliance
        from alliance_desk.exports.common import settings as export_settings

        noun = export_settings(pack)["alliance_noun"]
        self.name.setPlaceholderText(self.tr("如：{region}新能源汽车{noun}").format(region=pack.region_name, noun=noun))
        self.industry.clear()
        if pack.industry_mode == "list":
            self.industry.setEditable(False)
            for ind in pack.industries:
                self.industry.addItem(ind.name, ind.name)
                tip = "，".join(x for x in (ind.group, ind.division and f"对口科室：{ind.division}") if x)
                if tip:
                    self.industry.setItemData(self.industry.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            self.industry_hint.setText(self.tr("{region}规定了产业领域清单，请从中选择。").format(
                region=pack.region_name))
        else:
            self.industry.setEditable(True)
            self.industry.addItems(self.w.industry_suggestions)
            self.industry.setEditText("")
            self.industry.lineEdit().setPlaceholderText(self.tr("填写产业领域"))
            self.industry_hint.setText(self.tr("{region}未规定产业领域清单，可直接填写。").format(
                region=pack.region_name))
        self._name_changed(self.name.text())

    def _name_changed(self, text: str) -> None:
        n = len(text.strip())
        self.name_hint.setText("" if n >= NAME_MIN or n == 0 else
                               self.tr("名称至少 {n} 个字").format(n=NAME_MIN))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return len(self.name.text().strip()) >= NAME_MIN and bool(_combo_text(self.industry))


class _LeadPage(_Page):
    def __init__(self, wizard: "NewApplicationWizard"):
        super().__init__(wizard, self.tr("牵头单位"), self.tr("其余成员、组织机构和协议在申报编辑器中填写。"))
        from alliance_desk.rules import KIND_LABELS

        self.lead = _named(QLineEdit(self), "leadEdit")
        self.lead.setPlaceholderText(self.tr("单位全称，与营业执照一致"))
        self.uscc = _named(QLineEdit(self), "usccEdit")
        self.uscc.setMaxLength(24)
        self.uscc.setPlaceholderText(self.tr("18 位统一社会信用代码"))
        self.uscc_hint = _named(QLabel(self), "usccHint")
        self.uscc_hint.setWordWrap(True)
        # room for two lines: a wrapped label in a form inside a wizard page is not given its height
        self.uscc_hint.setMinimumHeight(self.uscc_hint.fontMetrics().lineSpacing() * 2 + 4)
        self.uscc_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.kind = QComboBox(self)
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.in_region = QCheckBox(self.tr("在本地区注册（高校、院所为在本地区设立）"), self)
        self.in_region.setChecked(True)
        self._form(
            (self.tr("牵头单位(&L)："), self.lead),
            (self.tr("统一社会信用代码(&S)："), self.uscc),
            ("", self.uscc_hint),
            (self.tr("单位类型(&K)："), self.kind),
            ("", self.in_region),
        )
        self.lead.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.uscc.textEdited.connect(self._uscc_edited)
        self.uscc.textChanged.connect(self._check_uscc)
        self._check_uscc("")

    def _uscc_edited(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            pos = self.uscc.cursorPosition()
            self.uscc.setText(upper)
            self.uscc.setCursorPosition(pos)

    def uscc_problem(self) -> str | None:
        from alliance_desk.rules.uscc import problem

        text = self.uscc.text().strip()
        return problem(text) if text else None

    def _check_uscc(self, _text: str) -> None:
        text = self.uscc.text().strip()
        if not text:
            self.uscc_hint.setText(self.tr("可以稍后补填。"))
            self.uscc_hint.setStyleSheet("color: palette(mid);")
            return
        prob = self.uscc_problem()
        if prob:
            self.uscc_hint.setText(self.tr("{p}。可以先创建，审查清单会把它列为不符合项。").format(p=prob))
            self.uscc_hint.setStyleSheet("color: #c62828;")
        else:
            self.uscc_hint.setText(self.tr("✓ 校验通过"))
            self.uscc_hint.setStyleSheet("color: #1b7f3b;")

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return len(self.lead.text().strip()) >= 2


class NewApplicationWizard(QWizard):
    """Creates a minimal draft application with `store.save_draft` and emits `created(id)`."""

    created = Signal(str)

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        from alliance_desk.rules.packs import all_packs

        self.db = db
        self.packs = dict(sorted(all_packs().items(), key=lambda kv: kv[1].region_name))
        self.industry_suggestions: list[str] = []
        self.application_id: str | None = None
        self._duplicate_confirmed = False
        self.duplicate_box: QMessageBox | None = None
        self.setWindowTitle(self.tr("新建申报"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("创建"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.region_page = _RegionPage(self)
        self.alliance_page = _AlliancePage(self)
        self.lead_page = _LeadPage(self)
        for p in (self.region_page, self.alliance_page, self.lead_page):
            self.addPage(p)
        self.resize(660, 440)

    # -------------------------------------------------------- values

    def set_region(self, region: str) -> None:
        i = self.region_page.region.findData(region)
        if i < 0:
            raise ValueError(f"unknown region {region!r}")
        self.region_page.region.setCurrentIndex(i)

    def build_document(self, now: datetime | None = None) -> dict:
        rp, ap, lp = self.region_page, self.alliance_page, self.lead_page
        doc: dict = {"format": FORMAT_ID, "id": str(uuid.uuid4()), "region": rp.region.currentData()}
        call = rp.call.currentData()
        if call:
            doc["call"] = call
        doc["name"] = ap.name.text().strip()
        doc["industry"] = _combo_text(ap.industry)
        doc["county"] = rp.county.currentText().strip()
        doc["submitted_at"] = default_submitted_at(rp.selected_call(), now)[0]
        doc["members"] = [{"name": lp.lead.text().strip(), "uscc": lp.uscc.text().strip().upper(),
                           "kind": lp.kind.currentData(), "role": "lead", "in_region": lp.in_region.isChecked()}]
        doc["organization"] = {"council": [], "expert_committee": [], "secretariat": None}
        doc["agreement"] = {"signed_on": None, "expires_on": None, "signed_by_legal_reps": False, "sealed": False}
        doc["systems"] = {}
        doc["materials"] = []
        return doc

    def create_application(self) -> str:
        """Save the draft; returns its id and emits `created`."""
        from alliance_desk.store import save_draft

        doc = self.build_document()
        save_draft(self.db, doc)
        self.application_id = doc["id"]
        self.created.emit(doc["id"])
        return doc["id"]

    def duplicate_warnings(self) -> list[str]:
        """What the application being entered would duplicate among the stored ones."""
        from alliance_desk.store import duplicates

        with self.db.Session() as s:
            return [d.text() for d in duplicates.for_document(s, self.build_document())]

    def accept(self) -> None:
        found = [] if self._duplicate_confirmed else self.duplicate_warnings()
        if found:  # warn once; 仍然创建 goes on, 返回修改 keeps the wizard open
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("疑似重复申报"),
                              self.tr("已有相同的联盟：") + "；".join(found) + self.tr("。确定仍要创建吗？"),
                              QMessageBox.StandardButton.NoButton, self)
            go = box.addButton(self.tr("仍然创建"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(self.tr("返回修改"), QMessageBox.ButtonRole.RejectRole)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(lambda *_: self._duplicate_answer(box.clickedButton() is go))
            self.duplicate_box = box
            box.open()
            return
        try:
            self.create_application()
        except Exception as exc:  # noqa: BLE001 - keep the wizard open with what was typed
            box = QMessageBox(QMessageBox.Icon.Critical, self.tr("无法创建申报"), str(exc),
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        super().accept()

    def _duplicate_answer(self, go_on: bool) -> None:
        self.duplicate_box = None
        if go_on:
            self._duplicate_confirmed = True
            self.accept()
