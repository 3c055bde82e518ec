"""The embedded backend combines clause rowids with masks over the rowid range; Python's sets say what
the answer is."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vnsearch.backends.embedded import _at_least, _intersect, _union

rowids = st.lists(st.sets(st.integers(0, 3000), max_size=200), min_size=1, max_size=6)


def _arrays(sets, dtype):
    return [np.array(sorted(s), dtype=dtype) for s in sets]


@given(rowids, st.sampled_from([np.int32, np.int64]))
def test_union_and_intersection_are_the_sets(sets, dtype):
    arrays = _arrays(sets, dtype)
    assert _union(arrays).tolist() == sorted(set().union(*sets))
    assert _intersect(arrays).tolist() == sorted(set.intersection(*sets))


@given(rowids, st.integers(1, 6))
def test_at_least_k_of_n(sets, need):
    want = sorted(i for i in set().union(*sets) if sum(i in s for s in sets) >= min(need, len(sets)))
    assert _at_least(_arrays(sets, np.int64), need).tolist() == want
