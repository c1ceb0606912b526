"""tonecheck: a reply-tone linter for customer-support drafts.

    from tonecheck import Linter
    report = Linter().check("You're the only customer who has complained.")
    for finding in report.findings:
        print(finding.rule, finding.match, finding.suggestions)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    # The one place the version lives is the package metadata (pyproject.toml's
    # `version`); everything else reads `tonecheck.__version__`.
    __version__ = version("tonecheck")
except PackageNotFoundError:  # a source tree on sys.path without an installation
    __version__ = "0+unknown"

from tonecheck.config import Config, Settings, resolve_config
from tonecheck.errors import ConfigError, InputError, PackError, PipelineError, TonecheckError
from tonecheck.linter import Linter
from tonecheck.models import SCHEMA_VERSION, Finding, Report
from tonecheck.schema import CORE_CATEGORIES, Severity

__all__ = [
    "CORE_CATEGORIES",
    "SCHEMA_VERSION",
    "Config",
    "ConfigError",
    "Finding",
    "InputError",
    "Linter",
    "PackError",
    "PipelineError",
    "Report",
    "Settings",
    "Severity",
    "TonecheckError",
    "__version__",
    "resolve_config",
]
