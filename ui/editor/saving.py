"""Saving the editor: autosave (debounced, capped), the save banner and conflict ways out
(reload, reload and re-apply), the duplicate note, the header and the schema-problems button.
Mixed into ApplicationEditor."""
from __future__ import annotations

import copy
import time
from datetime import datetime

from PySide6.QtCore import QTimer

from alliance_desk import exchange, store
from alliance_desk.exchange import merge


class EditorSaving:
    """Autosave and what the clerk sees about saving (mixed into ApplicationEditor)."""

    def reload_and_reapply(self) -> merge.MergeReport:
        """Load what the other seat saved, then re-apply this editor's own edits on top (the other
        way out of a save conflict): where both changed the same value, this editor's value wins
        and the banner names it. The result is saved like any edit."""
        base, mine = self._base, copy.deepcopy(self._doc)
        my_invalid = self.invalid()
        self.reload()
        merged, report = merge.three_way(base, mine, self._doc)
        if not report.applied and not my_invalid:
            self._show_banner(self.tr("已载入对方保存的版本；本窗口没有需要重新应用的修改。"), kind="info")
            return report
        # raw texts typed into table rows stay only where the rows did not shift
        tables = {"members[": ("members",), "organization.council[": ("organization", "council"),
                  "organization.expert_committee[": ("organization", "expert_committee")}

        def rows(doc, keys):
            for k in keys:
                doc = doc.get(k) or {}
            return doc or []

        same = {prefix: len(rows(merged, keys)) == len(rows(mine, keys)) for prefix, keys in tables.items()}
        self._show_document(merged, {k: v for k, v in my_invalid.items()
                                     if next((same[p] for p in tables if k.startswith(p)), True)})
        self.documentChanged.emit(copy.deepcopy(self._doc))
        self._emit_result()
        self._dirty = True
        self._schedule_save()
        text = self.tr("已载入对方保存的第 {0} 版，并重新应用了本窗口的 {1} 处修改。").format(
            self._version, len(report.applied))
        if report.overridden:
            shown = "、".join(report.overridden[:6]) + (self.tr(" 等") if len(report.overridden) > 6 else "")
            text += self.tr("其中 {0} 处对方也改过，现为本窗口的内容：{1}。").format(len(report.overridden), shown)
        self._show_banner(text, kind="info")
        return report

    # ================================================================ autosave

    def _schedule_save(self) -> None:
        if self._conflict:
            return
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        remaining = self.AUTOSAVE_MAX_MS - (now - self._pending_since) * 1000.0
        self._save_timer.start(int(max(0.0, min(float(self.AUTOSAVE_DELAY_MS), remaining))))
        self.save_status.setText(self.tr("有未保存的修改…"))

    def _autosave(self) -> None:
        self._save()

    def _save_now(self) -> None:
        self._save_timer.stop()
        self._save()

    def _save(self) -> bool:
        if not self._dirty:
            return True
        if self._conflict:
            return False
        try:
            version = store.save_draft(self._db, self._doc, self.invalid(), self._version)
        except store.ConflictError as exc:
            self._conflict = True
            self._pending_since = None
            msg = str(exc)
            self._last_error = msg
            self._show_banner(msg + self.tr("。本窗口的修改未保存，也不会覆盖对方的修改。"),
                              kind="conflict")
            self.save_status.setText(self.tr("未保存（冲突）"))
            self.saveFailed.emit(msg)
            return False
        except Exception as exc:  # noqa: BLE001 - any failure is shown, the edits stay in memory
            self._pending_since = None
            msg = self.tr("自动保存失败：{0}").format(exc)
            self._last_error = msg
            self._show_banner(msg)
            self.save_status.setText(self.tr("未保存"))
            self.saveFailed.emit(msg)
            QTimer.singleShot(3000, self, self._retry_save)
            return False
        self._version = version
        self._base = copy.deepcopy(self._doc)
        self._dirty = False
        self._pending_since = None
        self._last_error = None
        if self.banner.property("kind") == "save":
            self.banner_box.hide()
        self.save_status.setText(
            self.tr("已自动保存 {0}").format(datetime.now().strftime("%H:%M:%S")))
        self.check_duplicates()
        self.saved.emit(version)
        return True

    def check_duplicates(self) -> list[str]:
        """Show (or clear) the duplicate note for the stored applications this one duplicates."""
        from alliance_desk.store import duplicates

        with self._db.Session() as s:
            found = duplicates.for_document(s, self._doc)
        lines = [d.text() for d in found]
        self.duplicate_note.setText(self.tr("疑似重复申报：") + "；".join(lines)
                                    + self.tr("。公示和证书只会列入先录入的一份。") if lines else "")
        self.duplicate_note.setVisible(bool(lines))
        return lines

    def _retry_save(self) -> None:
        if self._dirty and not self._conflict and not self._save_timer.isActive():
            self._save()

    def _show_banner(self, message: str, kind: str = "save") -> None:
        """kind: save (cleared by the next successful save), conflict (offers 重新载入) or info."""
        self.banner.setText(message)
        self.banner.setProperty("kind", kind)
        self.reload_button.setVisible(kind == "conflict")
        self.reapply_button.setVisible(kind == "conflict")
        self.banner_box.show()

    def banner_text(self) -> str:
        return self.banner.text() if not self.banner_box.isHidden() else ""

    def closeEvent(self, event):  # noqa: N802
        self._closed = True  # a background job finishing later finds nobody to tell
        self._save_now()  # a failure is on the banner and was signalled by saveFailed
        super().closeEvent(event)

    # ================================================================ header and schema problems

    def _update_header(self) -> None:
        name = self._doc.get("name") or self.tr("（未命名联盟）")
        self.title_label.set_full_text(name)
        self.subtitle_label.set_full_text(self.tr("{0} · {1} · {2} 家成员单位").format(
            self.pack.region_name, self.pack.scheme, len(self._doc["members"])))
        self.setWindowTitle(name)

    def _check_schema(self) -> None:
        problems = exchange.validate_document(self._doc)
        self._schema_problems = problems
        if not problems:
            self.schema_button.hide()
            return
        self.schema_button.setText(self.tr("⚠ 草稿中有 {0} 处不符合格式要求（点击定位第一处）：{1}").format(
            len(problems), problems[0]))
        self.schema_button.setToolTip("\n".join(problems[:30]))
        self.schema_button.show()

    def schema_problems(self) -> list[str]:
        return list(self._schema_problems)

    def _jump_to_schema_problem(self) -> None:
        if self._schema_problems:
            self.focus_field(self._schema_problems[0].split(":", 1)[0])

