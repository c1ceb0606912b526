"""tonecheck's language server: live tone diagnostics, quick fixes and explanations.

A thin adapter over the engine, laid out as esbonio and the pygls examples are:
``server`` holds the state and wires one module per feature (``diagnostics``,
``code_actions``, ``hover``, ``configuration``); ``convert`` is the one pure
function from findings to ``lsprotocol`` diagnostics; ``linting`` finds the
configuration for a document and asks ``Linter.incremental()`` for its findings
(paragraph reuse is the engine's). The engine never imports this package, and
``tonecheck check`` never loads pygls: the ``lsp`` command imports
``tonecheck.lsp.server`` only when it runs.
"""
