"""pyvi's model loaded without scikit-learn segments exactly as pyvi does."""

import os
import pickle
import subprocess
import sys

import pyvi

from vnsearch.pyvi_model import _CRF

TEXTS = [
    "Công ty TNHH Cơ khí Chính xác Hòa Bình gia công khuôn ép nhựa",
    "Sản xuất linh kiện điện tử, bo mạch PCBA cho máy lọc nước",
    "Dệt may xuất khẩu; nhãn dệt, mác quần áo và phụ liệu may mặc",
    "Đế giày cao su, da thuộc và phụ kiện giày dép",
    "mô tơ chính xác vòng bi bạc đạn nhíp ô tô",
]


def test_the_light_model_tags_like_sklearn_crfsuite():
    path = os.path.join(os.path.dirname(pyvi.__file__), "models", "pyvi3.pkl")
    with open(path, "rb") as fh:
        real = pickle.load(fh)  # the real sklearn_crfsuite.CRF (installed with pyvi)

    class Light(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "sklearn_crfsuite.estimator":
                return _CRF
            if module == "sklearn_crfsuite._fileresource":
                from vnsearch.pyvi_model import _FileResource

                return _FileResource
            return super().find_class(module, name)

    with open(path, "rb") as fh:
        light = Light(fh).load()
    from pyvi.ViTokenizer import ViTokenizer

    feats = [ViTokenizer.sent2features(ViTokenizer.sylabelize(t)[1], False) for t in TEXTS]
    for f in feats:  # one sentence at a time, as pyvi calls it
        assert light.predict([f]) == [list(t) for t in real.predict([f])]
    assert any("I_W" in light.predict([f])[0] for f in feats)  # it does join syllables


def test_segmenting_loads_neither_scikit_learn_nor_scipy():
    code = (
        "import sys\n"
        "from vnsearch.documents import segment_words\n"
        "assert segment_words('gia công khuôn ép nhựa'), 'no words'\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'pandas', 'sklearn_crfsuite') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
