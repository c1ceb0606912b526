"""Linting many texts: checking items as they stream past, batches, and worker processes.

``Linter.check_many`` streams its texts through ``Items`` (an item that is not
text keeps its place and its error), in ``batches``, on this process or on
``parallel`` worker processes that each build the same ``Linter`` once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc

from tonecheck.errors import InputError
from tonecheck.inputs import Prepared, prepare
from tonecheck.models import Finding, Report

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.linter import Linter


class Items:
    """The texts of a batch, checked as they stream past.

    An item that is not text is replaced by an empty text (so the batch keeps
    its order and its other items) and its error is kept by position, for
    ``check_many`` to raise or report when that position comes out.
    """

    def __init__(self, texts: Iterable[Any]):
        self.texts = texts
        self.errors: dict[int, InputError] = {}

    def __iter__(self) -> Iterator[str]:
        for index, text in enumerate(self.texts):
            if not isinstance(text, str):
                self.errors[index] = not_text(text, f"texts[{index}]", index)
                text = ""
            yield text


def not_text(value: Any, where: str, index: int | None = None) -> InputError:
    if value is None:
        why = "got None; pass the draft as a str (an empty string when there is none)"
    elif isinstance(value, (bytes, bytearray, memoryview)):
        why = "got bytes; decode them first, e.g. data.decode(\"utf-8\")"
    else:
        why = f"got {type(value).__name__}; pass the draft as a str"
    return InputError(where, f"not text: {why}", index=index)


def zip_docs(
    texts: Iterable[str], nlp: Any, batch_size: int, input_format: str
) -> Iterator[tuple[str, Prepared, Doc]]:
    """Stream (original text, prepared text, doc) without holding the whole input."""
    pairs = ((p.text, (t, p)) for t in texts for p in (prepare(t, input_format),))
    for doc, (text, prepared) in nlp.pipe(pairs, batch_size=batch_size, as_tuples=True):
        yield text, prepared, doc


_WORKER: Linter | None = None


def _init_worker(config: Config) -> None:
    from tonecheck.linter import Linter

    global _WORKER
    _WORKER = Linter(config=config)


def _work(job: tuple[list[str], str]) -> list[list[Finding] | None]:
    assert _WORKER is not None
    batch, input_format = job
    reports = _WORKER.check_many(batch, n_process=1, batch_size=len(batch) or 1, input_format=input_format)
    # Most replies have no findings: None travels back cheaper than a pickled Report,
    # and the parent shares the cores with the workers.
    return [report.findings or None for report in reports]


def batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def parallel(
    linter: Linter, texts: Iterable[str], n_process: int, batch_size: int, input_format: str
) -> Iterator[Report]:
    # fork shares the already-compiled rules copy-on-write; elsewhere spawn rebuilds them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    # Forked while no other thread is inside the pipeline, so the workers' copy is whole.
    with linter.pipeline_lock:
        pool = context.Pool(n_process, initializer=_init_worker, initargs=(linter.config,))
    with pool:
        jobs = ((batch, input_format) for batch in batches(texts, batch_size))
        for results in pool.imap(_work, jobs):
            for findings in results:
                yield Report(findings=findings) if findings else Report()
