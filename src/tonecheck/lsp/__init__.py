"""tonecheck's language server: live tone diagnostics, quick fixes and explanations.

A thin adapter over the engine. ``convert`` is the one pure function from
findings to ``lsprotocol`` diagnostics; ``linting`` finds the configuration for
a document and lints it (paragraph by paragraph, reusing unchanged ones);
``server`` wires the LSP features together. The engine never imports this
package, and ``tonecheck check`` never loads pygls: the ``lsp`` command imports
``tonecheck.lsp.server`` only when it runs.
"""
