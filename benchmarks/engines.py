"""The signers the hot-path benchmark races, each from raw document text to 128-permutation signatures.

All engines see the same documents and the same shingles: word 5-grams of the words
``syndicate.normalise.words`` finds, produced by the same fast tokeniser. They differ in what
they do from there:

* ``syndicate``: word hashes combined into n-gram hashes with numpy, permutations applied to a
  whole batch of documents per numpy call (``syndicate.shingle`` + ``syndicate.sign``).
* ``datasketch-update``: the 5-gram strings, one ``MinHash.update()`` per shingle (SHA-1, the default).
* ``datasketch-batch``: the 5-gram strings, ``MinHash.update_batch()`` with xxh32 as hash function.
* ``rensa``: the 5-gram strings, ``RMinHash.digest_matrix_from_token_sets`` (its batch API), one thread.
* ``rensa-prehashed``: syndicate's uint64 shingle hashes handed to rensa's flat-buffer batch API:
  rensa's Rust kernel alone, without building strings (not a like-for-like end-to-end row).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np
import xxhash

from syndicate.shingle import MARK, marked_words, shingle_articles
from syndicate.sign import SCHEME, MinHasher

NUM_PERM = 128
SEED = 1
NGRAM = 5
BATCH = 1024

Signer = Callable[[Sequence[str]], np.ndarray]
"""Documents -> (documents x NUM_PERM) uint32 signatures."""


def document_words(texts: Sequence[str]) -> list[list[bytes]]:
    """Each document's words (UTF-8), through syndicate's batch tokeniser."""
    words: list[list[bytes]] = []
    for start in range(0, len(texts), BATCH):
        tokens = marked_words([[text] for text in texts[start : start + BATCH]])
        ends = np.flatnonzero(np.fromiter(map(MARK.__eq__, tokens), dtype=bool, count=len(tokens))).tolist()
        words += [tokens[begin + 1 : end] for begin, end in zip([-1, *ends], ends, strict=False)]
    return words


def five_grams(words: list[bytes]) -> list[bytes]:
    """The document's distinct-or-not 5-gram strings; zip and map keep the loop in C (the fastest we found)."""
    return list(map(b" ".join, zip(*(words[i:] for i in range(NGRAM)), strict=False)))


def syndicate_signer() -> Signer:
    hasher = MinHasher(NUM_PERM, SEED)

    def sign(texts: Sequence[str]) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), BATCH):
            batch = shingle_articles([[text] for text in texts[start : start + BATCH]], NGRAM, fingerprints=False)
            rows.append(hasher.signatures(batch.values, batch.offsets))
        return np.concatenate(rows)

    return sign


def datasketch_update_signer() -> Signer:
    from datasketch import MinHash

    permutations = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations

    def sign(texts: Sequence[str]) -> np.ndarray:
        rows = []
        for words in document_words(texts):
            minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme=SCHEME)
            for shingle in five_grams(words):
                minhash.update(shingle)
            rows.append(minhash.hashvalues)
        return np.asarray(rows, dtype=np.uint32)

    return sign


def datasketch_batch_signer() -> Signer:
    from datasketch import MinHash

    permutations = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    hashfunc = xxhash.xxh32_intdigest

    def sign(texts: Sequence[str]) -> np.ndarray:
        rows = []
        for words in document_words(texts):
            minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=hashfunc, permutations=permutations, scheme=SCHEME)
            minhash.update_batch(five_grams(words))
            rows.append(minhash.hashvalues)
        return np.asarray(rows, dtype=np.uint32)

    return sign


def rensa_signer() -> Signer:
    def matrix(rmh, texts: Sequence[str]):
        token_sets = [five_grams(words) for words in document_words(texts)]
        return rmh.digest_matrix_from_token_sets(token_sets, num_perm=NUM_PERM, seed=SEED)

    return _rensa_batches(matrix)


def rensa_prehashed_signer() -> Signer:
    def matrix(rmh, texts: Sequence[str]):
        batch = shingle_articles([[text] for text in texts], NGRAM, fingerprints=False)
        return rmh.digest_matrix_from_flat_token_hashes(batch.values, batch.offsets.astype(np.uint64),
                                                        num_perm=NUM_PERM, seed=SEED)

    return _rensa_batches(matrix)


def _rensa_batches(matrix: Callable) -> Signer:
    """Sign BATCH documents per rensa call (one thread), converting its digest matrix to uint32 rows."""
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from rensa import RMinHash

    def sign(texts: Sequence[str]) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            digests = matrix(RMinHash, batch).to_rows()
            rows.append(np.asarray(digests, dtype=np.uint32).reshape(len(batch), NUM_PERM))
        return np.concatenate(rows)

    return sign


ENGINES: dict[str, Callable[[], Signer]] = {
    "syndicate": syndicate_signer,
    "datasketch-update": datasketch_update_signer,
    "datasketch-batch": datasketch_batch_signer,
    "rensa": rensa_signer,
    "rensa-prehashed": rensa_prehashed_signer,
}


def rensa_installed() -> bool:
    try:
        import rensa  # noqa: F401
    except ImportError:
        return False
    return True


def shingle_set(text: str) -> np.ndarray:
    """The document's distinct 5-gram hashes (64-bit: exact Jaccard for any practical corpus)."""
    return shingle_articles([[text]], NGRAM, fingerprints=False).values
