"""Unified social credit code (统一社会信用代码, GB 32100-2015) checks, via python-stdnum.

A well-formed valid code (18 allowed characters, right check character) is recognised here
directly: judging 150,000 member units spends seconds in python-stdnum otherwise, and importing
python-stdnum costs the list's first rows at start-up. Anything else gets python-stdnum's verdict
and this module's message (tests/test_uscc_fast_path.py holds the two verdicts equal).
"""
from __future__ import annotations

import re

_FAST = re.compile(r"[0-9]{8}[0-9A-HJ-NP-RTUW-Y]{10}")
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _valid_fast(code) -> bool:
    if type(code) is not str or len(code) != 18 or not _FAST.fullmatch(code):
        return False
    total = sum(_VALUE[c] * w for c, w in zip(code, _WEIGHTS))
    return code[17] == _ALPHABET[(31 - total) % 31]


def problem(code: str | None) -> str | None:
    """None if `code` is a valid USCC, else a short Chinese reason."""
    if not code:
        return "未填写"
    if _valid_fast(code):
        return None
    from stdnum import exceptions
    from stdnum.cn import uscc as _uscc

    compact = _uscc.compact(code)
    try:
        _uscc.validate(compact)
    except exceptions.InvalidLength:
        return f"应为 18 位，实际 {len(compact)} 位"
    except exceptions.InvalidChecksum:
        try:
            expected = _uscc.calc_check_digit(compact[:-1])
        except Exception:  # noqa: BLE001 - any odd input: report the generic reason
            return "校验位错误"
        return f"校验位错误（第 18 位应为 {expected}）"
    except exceptions.InvalidFormat:
        if not compact[:8].isdigit():
            return "前 8 位应为数字（登记管理部门、机构类别和行政区划码）"
        return "含有不允许的字符（不使用 I、O、S、V、Z）"
    except exceptions.ValidationError:
        return "格式错误"
    return None


def is_valid(code: str | None) -> bool:
    return problem(code) is None
