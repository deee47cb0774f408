"""whoosh's morph_en is not loaded by a search, and still works when asked."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import searchkit.engine, searchkit.cli
assert not hasattr(sys.modules["whoosh.lang.morph_en"], "__file__"), "the real module was loaded"
from whoosh.fields import Schema, TEXT
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Variations
ix = RamStorage().create_index(Schema(body=TEXT(stored=True)))
with ix.writer() as w:
    w.add_document(body="she renders the pages")
    w.add_document(body="nothing here")
with ix.searcher() as s:
    print([hit["body"] for hit in s.search(Variations("body", "render"))])
print(hasattr(sys.modules["whoosh.lang.morph_en"], "__file__"))
"""


def test_a_search_does_not_load_morph_en_but_variations_still_work() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['she renders the pages']", "True"]
