"""The application list's search index: every entry in two long strings, searched at C speed.

An entry is what a text search of the list looks through for one application: its name, then every
member's name and USCC, lower-cased and joined by line breaks (`listing.load_search_index` builds
it). With 50,000 applications of about 30 members that is 50 million characters. Kept as one string
per application, every character costs two bytes (the names are Chinese) and every keystroke runs a
Python loop over 50,000 strings. Here the alliance and member names of all applications are one
string, and the USCCs another, ASCII (one byte a character); a search is `str.find` over them that
jumps to the next application after each hit, so the Python work follows the number of matching
applications, not N, and a word with a non-ASCII character skips the USCCs altogether (it cannot
occur in an ASCII string). A search word never holds a line break (the search box splits on
whitespace), so "word in entry" is the same as "word in one part of it": the results are exactly
those of the plain scan. Entries changed after the build live in a small overlay, searched plainly.

`SearchIndex` is a mutable mapping of application id -> entry string, so code that reads or replaces
single entries keeps working.
"""
from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, MutableMapping

SEP = "\n"

#: overlay entries beyond which the long strings are rebuilt at the next search
_REBUILD_AFTER = 2000


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


class SearchIndex(MutableMapping):
    """Application id -> search entry (lower-cased); `matching` filters rows by a word."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()):
        self._overlay: dict[str, str | None] = {}  # changed since the build; None: deleted
        self._build(entries)

    # ------------------------------------------------------------ building

    def _build(self, entries: Iterable[tuple[str, str]]) -> None:
        ids, names, codes, shapes = [], [], [], array("b")
        name_off, code_off = [0], [0]
        n_at = c_at = 0
        for app_id, entry in entries:
            if not entry:  # searched like a missing entry (by the row's own name): kept aside
                self._overlay[app_id] = entry
                continue
            a, b = _split(entry)
            ids.append(app_id)
            shapes.append(_shape(entry))
            # each part ends with a separator: no word runs from one application into the next
            names.append(a)
            names.append(SEP)
            codes.append(b)
            codes.append(SEP)
            n_at += len(a) + 1
            c_at += len(b) + 1
            name_off.append(n_at)
            code_off.append(c_at)
        self._ids = ids
        self._pos = {i: k for k, i in enumerate(ids)}
        self._names, self._codes = "".join(names), "".join(codes)
        self._name_off, self._code_off, self._shapes = name_off, code_off, shapes

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
        names = self._names[self._name_off[k]:self._name_off[k + 1] - 1]
        codes = self._codes[self._code_off[k]:self._code_off[k + 1] - 1]
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

    def _hits(self, text: str, offsets: list[int], word: str) -> set[str]:
        """Ids of the built entries whose part in `text` holds `word`: one `find` per matching
        application, each resuming after the end of the application it hit."""
        out: set[str] = set()
        find, ids, add = text.find, self._ids, out.add
        at = find(word)
        while at >= 0:
            k = bisect_right(offsets, at) - 1
            add(ids[k])
            at = find(word, offsets[k + 1])
        return out

    def ids_matching(self, word: str) -> set[str]:
        """Ids of every entry holding `word` (lower-cased, without whitespace)."""
        if len(self._overlay) > _REBUILD_AFTER:
            self._compact()
        hits = self._hits(self._names, self._name_off, word)
        if word.isascii() or not self._codes.isascii():
            hits |= self._hits(self._codes, self._code_off, word)
        if self._overlay:
            for app_id, entry in self._overlay.items():
                if entry and word in entry:
                    hits.add(app_id)
                else:
                    hits.discard(app_id)
        return hits

    def matching(self, rows: list, word: str, fallback) -> list:
        """The rows whose entry holds `word`; a row without an entry is matched against
        `fallback(row)` (its name and lead unit) instead."""
        hits = self.ids_matching(word)
        over, pos = self._overlay, self._pos
        if over:
            def known(app_id: str) -> bool:  # an entry the row is searched by (not its fallback)
                return bool(over[app_id]) if app_id in over else app_id in pos
        else:
            known = pos.__contains__
        return [r for r in rows if r.id in hits or (not known(r.id) and word in fallback(r))]
