"""The application list's search index: every entry in two long strings, searched at C speed.

An entry is what a text search of the list looks through for one application: its name, then every
member's name and USCC, lower-cased and joined by line breaks (`listing.load_search_index` builds
it). With 50,000 applications of about 30 members that is 50 million characters. Kept as one string
per application, every character costs two bytes (the names are Chinese) and every keystroke runs a
Python loop over 50,000 strings. Here the alliance and member names of all applications are one
string, and the USCCs another, ASCII (one byte a character); a search is `str.find` over them that
jumps to the next application after each hit, so the Python work follows the number of matching
applications, not N; a Chinese word skips the USCCs (it cannot occur in an ASCII string) and an
ASCII word skips the Chinese names (only their ASCII runs are searched). A search word never holds a line break (the search box splits on
whitespace), so "word in entry" is the same as "word in one part of it": the results are exactly
those of the plain scan. Entries changed after the build live in a small overlay, searched plainly.

`SearchIndex` is a mutable mapping of application id -> entry string, so code that reads or replaces
single entries keeps working.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, MutableMapping

SEP = "\n"

#: overlay entries beyond which the long strings are rebuilt at the next search
_REBUILD_AFTER = 2000
#: applications per block of strings
_BLOCK = 4096
#: hits in a block after which its remaining applications are tested one by one
_DENSE = 256
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def _split(entry: str) -> tuple[str, str]:
    """(names part, USCC part) of an entry. Names at odd places after the alliance name, codes at even
    ones; a name holding a line break would shift them, which changes nothing for a search (every
    part is still searched) nor for the entry read back (`_join` interleaves them again)."""
    name, sep, rest = entry.partition(SEP)
    if not sep:
        return name, ""
    parts = rest.split(SEP)
    return name + SEP + SEP.join(parts[0::2]), SEP.join(parts[1::2])


def _join(names: str, codes: str, shape: int) -> str:
    if shape == 0:
        return names
    if shape == 1:
        return names
    name, _, rest = names.partition(SEP)
    a, b = rest.split(SEP), codes.split(SEP)
    out = [name]
    for i, n in enumerate(a):
        out.append(n)
        if i < len(b):
            out.append(b[i])
    return SEP.join(out)


def _shape(entry: str) -> int:
    """0: no separator; 1: one (an application without members, "name\\n"); 2: more."""
    return min(entry.count(SEP), 2)


class _Block:
    """The names and the USCCs of up to _BLOCK applications, each as one string, plus the ASCII runs
    of the names (`latin`): a word of ASCII characters can only occur inside such a run, so it is
    looked for there and in the codes, a short one-byte-a-character scan; any other word only in
    the names (and in codes that are not ASCII). Blocks, not one string for all: the index is never
    held twice while it is built."""

    __slots__ = ("names", "codes", "latin", "name_off", "code_off", "latin_off", "size")

    def __init__(self):
        self.names: list[str] | str = []
        self.codes: list[str] | str = []
        self.latin: list[str] | str = []
        # offsets as machine integers (a list would hold one int object each: megabytes at 50,000)
        self.name_off, self.code_off, self.latin_off = array("q", [0]), array("q", [0]), array("q", [0])
        self.size = 0

    def add(self, names: str, codes: str) -> None:
        latin = SEP.join(_ASCII_RUNS.findall(names))
        # each part ends with a separator: no word runs from one application into the next
        for text, parts, off in ((names, self.names, self.name_off), (codes, self.codes, self.code_off),
                                 (latin, self.latin, self.latin_off)):
            parts += (text, SEP)
            off.append(off[-1] + len(text) + 1)
        self.size += 1

    def close(self) -> _Block:
        self.names, self.codes, self.latin = "".join(self.names), "".join(self.codes), "".join(self.latin)
        return self

    def parts(self, k: int) -> tuple[str, str]:
        return (self.names[self.name_off[k]:self.name_off[k + 1] - 1],
                self.codes[self.code_off[k]:self.code_off[k + 1] - 1])

    def hits(self, word: str) -> list[int]:
        """Places (in this block) of the applications whose names or codes hold `word`."""
        if word.isascii():
            return _hits(self.latin, self.latin_off, word) + _hits(self.codes, self.code_off, word)
        out = _hits(self.names, self.name_off, word)
        if not self.codes.isascii():
            out += _hits(self.codes, self.code_off, word)
        return out


def _hits(text: str, offsets: array, word: str) -> list[int]:
    """One `find` per matching application, each resuming after the end of the one it hit; once
    hits are many, the remaining applications are tested one by one (`find` within each)."""
    out: list[int] = []
    find, add = text.find, out.append
    at = find(word)
    while at >= 0:
        k = bisect_right(offsets, at) - 1
        add(k)
        if len(out) >= _DENSE:
            out += [j for j in range(k + 1, len(offsets) - 1) if find(word, offsets[j], offsets[j + 1]) >= 0]
            break
        at = find(word, offsets[k + 1])
    return out


class SearchIndex(MutableMapping):
    """Application id -> search entry (lower-cased); `matching` filters rows by a word."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()):
        self._overlay: dict[str, str | None] = {}  # changed since the build; None: deleted
        self._build(entries)

    # ------------------------------------------------------------ building

    def _build(self, entries: Iterable[tuple[str, str]]) -> None:
        self._ids: list[str] = []
        self._shapes = array("b")
        self._blocks: list[_Block] = []
        block = _Block()
        for app_id, entry in entries:
            if not entry:  # searched like a missing entry (by the row's own name): kept aside
                self._overlay[app_id] = entry
                continue
            self._ids.append(app_id)
            self._shapes.append(_shape(entry))
            block.add(*_split(entry))
            if block.size == _BLOCK:
                self._blocks.append(block.close())
                block = _Block()
        if block.size:
            self._blocks.append(block.close())
        self._pos = {i: k for k, i in enumerate(self._ids)}

    def _compact(self) -> None:
        items = list(self.items())
        self._overlay = {}
        self._build(items)

    # ------------------------------------------------------------ mapping

    def __getitem__(self, app_id: str) -> str:
        if app_id in self._overlay:
            entry = self._overlay[app_id]
            if entry is None:
                raise KeyError(app_id)
            return entry
        k = self._pos[app_id]
        names, codes = self._blocks[k // _BLOCK].parts(k % _BLOCK)
        return _join(names, codes, self._shapes[k])

    def __setitem__(self, app_id: str, entry: str) -> None:
        self._overlay[app_id] = entry

    def __delitem__(self, app_id: str) -> None:
        if app_id not in self:
            raise KeyError(app_id)
        self._overlay[app_id] = None

    def __contains__(self, app_id: object) -> bool:
        if app_id in self._overlay:
            return self._overlay[app_id] is not None
        return app_id in self._pos

    def __iter__(self) -> Iterator[str]:
        over = self._overlay
        for i in self._ids:
            if i not in over:
                yield i
        for i, e in over.items():
            if e is not None:
                yield i

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # ------------------------------------------------------------ search

    def ids_matching(self, word: str) -> set[str]:
        """Ids of every entry holding `word` (lower-cased, without whitespace)."""
        if len(self._overlay) > _REBUILD_AFTER:
            self._compact()
        hits: set[str] = set()
        ids = self._ids
        for n, block in enumerate(self._blocks):
            hits.update(map(ids[n * _BLOCK:(n + 1) * _BLOCK].__getitem__, block.hits(word)))
        if self._overlay:
            for app_id, entry in self._overlay.items():
                if entry and word in entry:
                    hits.add(app_id)
                else:
                    hits.discard(app_id)
        return hits

    def unsearched(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` without an entry to search (added after the build, or emptied): a text
        search matches them by `matching`'s fallback instead."""
        over, pos = self._overlay, self._pos
        if not over:
            return {i for i in ids if i not in pos}
        return {i for i in ids if not (over[i] if i in over else i in pos)}

    def matching(self, rows: list, word: str, fallback, unsearched: set[str]) -> list:
        """The rows whose entry holds `word`; a row without an entry is matched against
        `fallback(row)` (its name and lead unit) instead. `unsearched`: `self.unsearched` of the
        rows' ids (or of more), worked out once for many searches: looking each row up in this
        index at every keystroke cost most of a search at 50,000 rows."""
        hits = self.ids_matching(word)
        if not unsearched:  # the usual case: this runs once per row and keystroke
            return [r for r in rows if r.id in hits]
        return [r for r in rows if r.id in hits or (r.id in unsearched and word in fallback(r))]
