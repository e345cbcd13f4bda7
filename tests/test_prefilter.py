"""The prefilter only rejects pairs that verification would reject."""

from __future__ import annotations

import numpy as np
from factories import wire_archive
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import ScanConfig
from syndicate.columns import EvidenceColumns
from syndicate.engine import LocalEngine
from syndicate.furniture import learn_furniture_columns
from syndicate.plan import candidates, parts_of, sketch_all
from syndicate.prefilter import could_link, shared_upper_bound
from syndicate.spill import Spill
from syndicate.verify import verify


def evidence_of(sets: list[list[int]]) -> EvidenceColumns:
    values = [np.array(sorted(set(s)), dtype=np.uint64) for s in sets]
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values], out=offsets[1:])
    return EvidenceColumns(ids=[str(i) for i in range(len(sets))], value_offsets=offsets,
                           paragraph_offsets=np.arange(len(sets) + 1, dtype=np.int64),
                           arrays={"values": np.concatenate(values) if values else np.empty(0, np.uint64),
                                   "owner": np.zeros(int(offsets[-1]), dtype=np.uint8),
                                   "evidence_sizes": np.array([len(v) for v in values], dtype=np.int32)})


shingle = st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 40),  # small values: many shared
                    st.integers(0, 40).map(lambda v: (1 << 40) + v))  # values alike in their top 40 bits


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(shingle, max_size=30), min_size=2, max_size=8), st.data())
def test_the_bound_is_never_below_the_exact_count(sets, data):
    evidence = evidence_of(sets)
    count = len(sets)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1))
                               .filter(lambda p: p[0] < p[1]), min_size=1, max_size=20))
    pairs = np.array(sorted(set(pairs)), dtype=np.int64)
    bound = shared_upper_bound(pairs, evidence)
    exact = [len(set(sets[a]) & set(sets[b])) for a, b in pairs.tolist()]
    assert (bound >= exact).all()


def test_the_bound_is_exact_for_distinct_hashes():
    rng = np.random.default_rng(3)
    pool = rng.integers(0, 2**63, size=400, dtype=np.int64).tolist()
    sets = [rng.choice(pool, size=int(rng.integers(0, 60)), replace=False).tolist() for _ in range(30)]
    evidence = evidence_of(sets)
    pairs = np.array([(a, b) for a in range(30) for b in range(a + 1, 30)], dtype=np.int64)
    exact = [len(set(sets[a]) & set(sets[b])) for a, b in pairs.tolist()]
    assert shared_upper_bound(pairs, evidence).tolist() == exact


def test_no_pair_that_verifies_is_rejected():
    config = ScanConfig()
    engine = LocalEngine(1)
    columns, keys = sketch_all(parts_of(wire_archive(60)), config, engine, Spill(False), None, lambda *a: None)
    furniture = learn_furniture_columns(columns, config)
    evidence = columns.settle(np.isin(columns.column("fingerprints"), np.array(sorted(furniture), dtype=np.uint64)))
    pairs = candidates(columns, evidence, keys, config, engine)
    passed = could_link(pairs, evidence, config)
    verified = np.array([verify(*evidence.evidence(a), *evidence.evidence(b), config) is not None
                         for a, b in pairs.tolist()])
    assert verified.any() and not passed.all()
    assert not (verified & ~passed).any()
    # The bound is the config's: lowering it lets more pairs through.
    looser = ScanConfig(copy_threshold=0.05, rewrite_min_containment=0.01)
    assert could_link(pairs, evidence, looser).sum() > passed.sum()
