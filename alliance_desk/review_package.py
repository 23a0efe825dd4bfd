""".adpkg exchange files for expert review (kinds "review" and "scores"): the API alliance_desk.review
uses, kept by name. The container itself — writing, manifest, signature, seal, safe reading and
limits — is alliance_desk.adpkg, the same code that writes and reads submission packages.

    private, public = new_key()
    write_package(path, kind="review", sender="赣州市科技局", entries={"review.json": b"…"},
                  private_key=private)
    pkg = read_package(path, kind="review")          # PackageError with the reason when refused
    pkg.json("review.json"); pkg.public_key; pkg.manifest
"""
from __future__ import annotations

from .adpkg import (ALGORITHM, FORMAT, FORMAT_VERSION, KIND_LABELS, KINDS, MANIFEST, MAX_ENTRIES,
                    MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, SIGNATURE, Package, PackageError, check_entry_name,
                    fingerprint, key_fingerprint, new_key, public_key, read_package, sha256, sign, verify,
                    write_package)

__all__ = ["ALGORITHM", "FORMAT", "FORMAT_VERSION", "KIND_LABELS", "KINDS", "MANIFEST", "MAX_ENTRIES",
           "MAX_ENTRY_BYTES", "MAX_TOTAL_BYTES", "SIGNATURE", "Package", "PackageError", "check_entry_name",
           "fingerprint", "key_fingerprint", "new_key", "public_key", "read_package", "sha256", "sign", "verify",
           "write_package"]
