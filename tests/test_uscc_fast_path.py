"""The fast path for well-formed USCCs (rules.uscc, used by the store) gives python-stdnum's verdict, always."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from alliance_desk.rules import uscc
from alliance_desk.store import _uscc_verdict

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
bodies = st.tuples(st.text("0123456789", min_size=8, max_size=8), st.text(ALPHABET, min_size=9, max_size=9))


@settings(max_examples=300, deadline=None)
@given(body=bodies, last=st.sampled_from(ALPHABET + "IOSVZa"), noise=st.text(max_size=20))
def test_fast_path_agrees_with_stdnum(body, last, noise):
    code = "".join(body) + last
    for candidate in (code, "".join(body) + stdnum_uscc.calc_check_digit("".join(body)), noise, code.lower()):
        assert (_uscc_verdict(candidate) is None) == stdnum_uscc.is_valid(candidate)
        assert _uscc_verdict(candidate) == uscc.problem(candidate)
