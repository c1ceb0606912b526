"""Word frequencies for choosing anchors, shipped as a small file.

spacy-lookups-data's `lexeme_prob` table holds a million entries: loading it
took 1.9 s and 157 MB, more than the whole pipeline, on every cold start. The
anchor choice only needs to know which words are common, so the most frequent
words (lower-cased, their best log probability) ship in
``data/word_frequencies.tsv``; any other word counts as rare.

Regenerate after upgrading spacy-lookups-data:

    python -m tonecheck.frequencies > src/tonecheck/data/word_frequencies.tsv
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources

KEEP = 20_000
RARE = -20.0  # log probability of a word outside the table


@lru_cache(maxsize=1)
def word_probabilities() -> dict[str, float]:
    """Log probabilities of the most frequent English words (lower-case)."""
    text = resources.files("tonecheck").joinpath("data/word_frequencies.tsv").read_text(encoding="utf-8")
    table: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, _, value = line.partition("\t")
            table[word] = float(value)
    return table


def generate(keep: int = KEEP) -> str:
    """The shipped table, from spacy-lookups-data's full one."""
    import spacy_lookups_data
    import srsly

    path = resources.files(spacy_lookups_data).joinpath("data/en_lexeme_prob.json.gz")
    best: dict[str, float] = {}
    for word, value in srsly.read_gzip_json(str(path)).items():
        key = word.lower()
        if not key or any(ch.isspace() or not ch.isprintable() for ch in key):
            continue
        if value > best.get(key, RARE - 1):
            best[key] = value
    top = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:keep]
    header = "# word\tlog probability (spacy-lookups-data en_lexeme_prob, top %d); see frequencies.py\n" % keep
    return header + "".join(f"{word}\t{value:.2f}\n" for word, value in top)


if __name__ == "__main__":
    sys.stdout.write(generate())
