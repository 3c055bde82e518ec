"""pyvi's word segmenter without scikit-learn.

pyvi pickles its CRF as a ``sklearn_crfsuite.CRF``; unpickling it imports sklearn-crfsuite, which pulls
in scikit-learn, SciPy and pandas (about 130 MB in every process) only to hand the model's bytes to
python-crfsuite. Here the pickle is loaded with two small stand-ins for those classes — the bytes go
straight to ``pycrfsuite.Tagger`` — and pyvi's own feature and tokenize code runs unchanged. If the real
package is already imported (a test, a notebook), pyvi is used as it comes.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

_lock = threading.Lock()
# A crfsuite tagger is one C object with state (set the sequence, then decode): two threads tagging at
# once through the same one crash the process (a segfault under concurrent requests). pyvi keeps one
# model per process, so every tokenize goes through this lock; tagging a short text takes ~0.1 ms.
_tag_lock = threading.Lock()


class _FileResource:
    """Holds the model bytes sklearn-crfsuite pickled with its temp file."""

    data: bytes | None = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.data = state.get("__FILE_RESOURCE_DATA__")


class _CRF:
    """What pyvi calls on its model: ``predict`` over feature sequences."""

    modelfile: _FileResource

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._tagger: Any = None

    def predict(self, X: list[list[dict[str, Any]]]) -> list[list[str]]:
        if self._tagger is None:
            import pycrfsuite  # noqa: PLC0415 - the CRF runtime, only with the model

            tagger = pycrfsuite.Tagger()
            if not self.modelfile.data:
                raise RuntimeError("pyvi's model holds no CRF data")
            tagger.open_inmemory(self.modelfile.data)
            self._tagger = tagger
        return [self._tagger.tag(x) for x in X]


def tokenize(text: str) -> str:
    """pyvi's segmentation of ``text`` ("gia_công khuôn ép nhựa"), one thread at a time."""
    vt = tokenizer()
    with _tag_lock:
        return str(vt.tokenize(text))


def tokenizer() -> Any:
    """pyvi's ``ViTokenizer`` module (``tokenize``), its model loaded through the stand-ins above."""
    with _lock:
        if "pyvi.ViTokenizer" in sys.modules or "sklearn_crfsuite" in sys.modules:
            from pyvi import ViTokenizer  # noqa: PLC0415

            return ViTokenizer
        names = ("sklearn_crfsuite", "sklearn_crfsuite.estimator", "sklearn_crfsuite._fileresource")
        shims = {n: types.ModuleType(n) for n in names}
        shims["sklearn_crfsuite.estimator"].CRF = _CRF  # type: ignore[attr-defined]
        shims["sklearn_crfsuite._fileresource"].FileResource = _FileResource  # type: ignore[attr-defined]
        sys.modules.update(shims)
        try:
            from pyvi import ViTokenizer  # noqa: PLC0415 - unpickles its model at import

            return ViTokenizer
        finally:  # the stand-ins serve this one unpickling; nothing else sees them
            for n in names:
                if sys.modules.get(n) is shims[n]:
                    del sys.modules[n]
