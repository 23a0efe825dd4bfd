"""Unified social credit code (统一社会信用代码, GB 32100-2015) checks, via python-stdnum."""
from __future__ import annotations

from stdnum import exceptions
from stdnum.cn import uscc as _uscc


def problem(code: str | None) -> str | None:
    """None if `code` is a valid USCC, else a short Chinese reason."""
    if not code:
        return "未填写"
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
