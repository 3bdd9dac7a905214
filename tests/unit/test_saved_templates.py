"""Jinja's compiled templates kept between dbt processes (warehouse/saved_templates.py):
taken from the folder when the source and settings are the same, never for another
template, compiled again when a kept file cannot be read, never in the way."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import jinja2
import jinja2.nativetypes
import jinja2.sandbox
import pytest

from warehouse import saved_templates

SOURCE = "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice(word) }}"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kept templates' folder, installed for this test only (Jinja's own compile
    is put back after it)."""
    monkeypatch.delenv("DBT_MACRO_DEBUGGING", raising=False)
    monkeypatch.setattr(jinja2.Environment, "compile", jinja2.Environment.compile)
    saved_templates.install(tmp_path / "templates")
    return tmp_path / "templates"


def kept(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_template_is_compiled_once_and_then_taken_from_the_folder(folder: Path) -> None:
    assert jinja2.Environment().from_string(SOURCE).render(word="ja") == "jaja"
    [path] = kept(folder)
    assert path.name == saved_templates.key(jinja2.Environment(), SOURCE, None, None, False)

    # Proof that the next compile reads the file: put another template's code there.
    other = jinja2.Environment().compile("{{ word }}!")
    path.write_bytes(marshal.dumps(other))
    assert jinja2.Environment().from_string(SOURCE).render(word="ja") == "ja!"
    assert not [p for p in kept(folder) if p.name.startswith(".")]  # no temporary left


def test_another_source_or_setting_is_another_key(folder: Path) -> None:
    plain = saved_templates.key(jinja2.Environment(), SOURCE, None, None, False)
    assert saved_templates.key(jinja2.Environment(), SOURCE + " ", None, None, False) != plain
    assert (
        saved_templates.key(jinja2.Environment(trim_blocks=True), SOURCE, None, None, False)
        != plain
    )
    assert saved_templates.key(jinja2.Environment(), SOURCE, "name", None, False) != plain
    sandboxed = jinja2.sandbox.SandboxedEnvironment()
    assert saved_templates.key(sandboxed, SOURCE, None, None, False) != plain
    # Jinja runs a filter of constants while it compiles: another filter, another key.
    shouting = jinja2.Environment()
    shouting.filters["lower"] = str.upper
    assert saved_templates.key(shouting, SOURCE, None, None, False) != plain
    native = jinja2.nativetypes.NativeEnvironment()
    assert saved_templates.key(native, SOURCE, None, None, False) != plain
    # Each renders as its own environment does, from its own kept file.
    assert jinja2.nativetypes.NativeEnvironment().from_string("{{ 1 + 1 }}").render() == 2
    assert jinja2.Environment().from_string("{{ 1 + 1 }}").render() == "2"
    assert len(kept(folder)) == 2


def test_an_unreadable_kept_file_is_compiled_again(folder: Path) -> None:
    path = folder / saved_templates.key(jinja2.Environment(), SOURCE, None, None, False)
    folder.mkdir()
    path.write_bytes(b"half a file")
    assert jinja2.Environment().from_string(SOURCE).render(word="nej") == "nejnej"
    assert saved_templates.load(path) is not None  # written again, whole


def test_python_source_is_never_kept(folder: Path) -> None:
    python = jinja2.Environment().compile(SOURCE, raw=True)
    assert isinstance(python, str)
    assert kept(folder) == []


def test_a_folder_that_cannot_be_written_leaves_jinja_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(jinja2.Environment, "compile", jinja2.Environment.compile)
    saved_templates.install(blocked / "templates")
    assert jinja2.Environment().from_string(SOURCE).render(word="ja") == "jaja"


def test_with_dbt_macro_debugging_nothing_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_MACRO_DEBUGGING", "write")
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", original)
    saved_templates.install(Path("/nonexistent"))
    assert jinja2.Environment.compile is original


def test_prune_removes_the_oldest_half_above_the_limit(tmp_path: Path) -> None:
    for number in range(6):
        path = tmp_path / f"kept{number}"
        path.write_bytes(b"code")
        os.utime(path, (1_000 + number, 1_000 + number))
    assert saved_templates.prune(tmp_path, limit=6) == 0
    (tmp_path / "kept6").write_bytes(b"code")
    assert saved_templates.prune(tmp_path, limit=6) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept3", "kept4", "kept5", "kept6"]
