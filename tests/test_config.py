"""Configuration: discovery, the merge order, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tonecheck import Config, ConfigError, Linter
from tonecheck.config import find_project_config, merge_layers, read_layer, resolve_config

from conftest import PACKS


@pytest.fixture()
def isolated(tmp_path, monkeypatch):
    """A project folder with no user config and no config above it that we don't control."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    project.mkdir()
    return project


def test_defaults_without_any_file(isolated):
    config = resolve_config(isolated)
    assert config.fail_on == "warning" and config.select == [] and config.builtin is True
    assert config.sources == ()


def test_merge_order_defaults_user_project_explicit_flags(isolated, tmp_path):
    user = tmp_path / "xdg" / "tonecheck" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("fail_on: error\nselect: [isolating]\nseverity: {isolating: info}\n")
    (isolated / ".tonecheck.yaml").write_text("select: [liability]\nseverity: {liability: hint}\npacks: [team.yaml]\n")
    explicit = tmp_path / "ci.yaml"
    explicit.write_text("fail_on: info\npacks: [other.yaml]\n")

    config = resolve_config(isolated, config_file=explicit, overrides={"select": ["inflammatory"], "ignore": None})
    assert config.select == ["inflammatory"]             # flags beat every file
    assert config.fail_on == "info"                      # --config beats project and user
    assert config.severity == {"isolating": "info", "liability": "hint"}   # severity entries merge
    assert config.packs == [str(isolated / "team.yaml"), str(tmp_path / "other.yaml")]  # packs accumulate
    assert config.sources == (str(user), str(isolated / ".tonecheck.yaml"), str(explicit))


def test_nearest_file_wins_walking_up(isolated):
    (isolated / ".tonecheck.yaml").write_text("fail_on: error\n")
    nested = isolated / "drafts" / "billing"
    nested.mkdir(parents=True)
    (isolated / "drafts" / "pyproject.toml").write_text("[tool.tonecheck]\nfail-on = 'info'\n")
    assert find_project_config(nested / "reply.txt") == isolated / "drafts" / "pyproject.toml"
    assert resolve_config(nested).fail_on == "info"
    # A pyproject.toml without [tool.tonecheck] is not a tonecheck config: keep walking.
    (isolated / "drafts" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert resolve_config(nested).fail_on == "error"


def test_pyproject_errors_point_at_the_key(isolated):
    path = isolated / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.tonecheck]\nselect = ['isolating']\nfail_on = 'sometimes'\n")
    with pytest.raises(ConfigError) as info:
        read_layer(path)
    assert f"{path}:6" in str(info.value) and "fail_on" in str(info.value)


@pytest.mark.parametrize(
    "text,fragments",
    [
        ("fail_on: sometimes\n", [":1", "field `fail_on`", "'error', 'warning', 'info', 'hint' or 'never'"]),
        ("select: isolating\n", [":1", "field `select`", "valid list"]),
        ("\nselct: [isolating]\n", [":2", "unknown setting `selct`", "known settings"]),
        ("severity: {isolating: loud}\n", [":1", "field `severity.isolating`"]),
        ("- a list\n", ["a configuration file is a mapping"]),
        ("select: [isolating\n", ["invalid YAML"]),
    ],
)
def test_yaml_config_errors_are_located(isolated, text, fragments):
    path = isolated / ".tonecheck.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        resolve_config(isolated)
    message = str(info.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


def test_unknown_select_entry_is_an_error_naming_its_source(isolated):
    (isolated / ".tonecheck.yaml").write_text("select: [isolatng]\n")
    with pytest.raises(ConfigError, match="`isolatng` names no rule, rule prefix or category"):
        Linter(config=isolated / ".tonecheck.yaml")


def test_pack_paths_are_relative_to_the_file_that_names_them(isolated):
    (isolated / "rules").mkdir()
    (isolated / "rules" / "basic.yaml").write_text((PACKS / "basic.yaml").read_text())
    (isolated / ".tonecheck.yaml").write_text("builtin: false\npacks: [rules]\n")
    linter = Linter(config=isolated / ".tonecheck.yaml")
    assert sorted(r.id for r in linter.rules) == [
        "basic.apologise", "basic.exact", "basic.only-one", "basic.only-one-loud", "tonecheck.unused-suppression",
    ]


def test_merge_layers_validates_once():
    with pytest.raises(ConfigError, match="fail_on"):
        merge_layers({"fail_on": "error"}, {"fail_on": "loudly"})


def test_missing_explicit_config_file(isolated):
    with pytest.raises(ConfigError, match="configuration file not found"):
        resolve_config(isolated, config_file=Path(isolated / "nope.yaml"))


# -- one configuration path: keyword arguments are the last layer ----------------------


def test_api_packs_add_to_the_configs_and_resolve_from_the_cwd(isolated, monkeypatch):
    (isolated / "team").mkdir()
    (isolated / "team" / "basic.yaml").write_text((PACKS / "basic.yaml").read_text())
    extra = isolated / "extra.yaml"
    extra.write_text((PACKS / "basic.yaml").read_text().replace("basic.", "extra.").replace("pack: basic", "pack: extra"))
    (isolated / ".tonecheck.yaml").write_text("builtin: false\npacks: [team/basic.yaml]\nseverity: {basic: info}\n")
    monkeypatch.chdir(isolated)
    config = resolve_config(isolated)
    linter = Linter(config=config, packs=["extra.yaml"], severity={"extra.only-one": "hint"})
    # The configuration's pack stays, the keyword's is added, resolved against the working directory.
    assert linter.config.packs == [str(isolated / "team" / "basic.yaml"), str(extra)]
    assert {r.pack for r in linter.rules} == {"basic", "extra", "tonecheck"}
    # severity entries merge, as they do between files.
    assert linter.config.severity == {"basic": "info", "extra.only-one": "hint"}
    assert linter.severities["basic.only-one"] == "info" and linter.severities["extra.only-one"] == "hint"


def test_api_cli_and_config_file_give_the_same_configuration(isolated, monkeypatch):
    (isolated / ".tonecheck.yaml").write_text("builtin: false\nselect: [isolating]\n")
    monkeypatch.chdir(isolated)
    from conftest import run_cli

    api = Linter(packs=[str(PACKS / "basic.yaml")], ignore=["basic.only-one-loud"]).config
    via_config = Linter(config=resolve_config(isolated), packs=[str(PACKS / "basic.yaml")], ignore=["basic.only-one-loud"]).config
    assert api.model_dump(exclude={"sources"}) == via_config.model_dump(exclude={"sources"})
    out = run_cli("check", "-", "--pack", str(PACKS / "basic.yaml"), "--ignore", "basic.only-one-loud", "--format", "json",
                  input="ur the only one with this problem", cwd=isolated)
    rules = [f["rule"] for f in __import__("json").loads(out.stdout)["results"][0]["findings"]]
    assert rules == [f.rule for f in Linter(packs=[str(PACKS / "basic.yaml")], ignore=["basic.only-one-loud"]).check(
        "ur the only one with this problem").findings] == ["basic.only-one"]


def test_api_keyword_errors_name_the_setting(isolated):
    with pytest.raises(ConfigError, match="unknown setting `selct`"):
        Linter(config=Config(builtin=False), selct=["isolating"])
    with pytest.raises(ConfigError, match="field `fail_on`"):
        Linter(fail_on="sometimes")


def test_user_config_comes_from_the_platform_folder(isolated, tmp_path):
    import platformdirs

    from tonecheck.config import user_config_path

    # On Linux platformdirs follows XDG_CONFIG_HOME (set by the fixture); macOS and
    # Windows get ~/Library/Application Support and %APPDATA% from the same call.
    assert user_config_path() == platformdirs.user_config_path("tonecheck", appauthor=False, roaming=True) / "config.yaml"
    assert user_config_path() == tmp_path / "xdg" / "tonecheck" / "config.yaml"
    user_config_path().parent.mkdir(parents=True)
    user_config_path().write_text("fail_on: hint\n")
    assert resolve_config(isolated).fail_on == "hint"
