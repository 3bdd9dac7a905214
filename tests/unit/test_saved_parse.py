"""The machine's saved dbt parse (warehouse/saved_parse.py): taken by a new target
folder, kept from a newer one, never half written, never in the way."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.saved_parse import PARSE_FILE, seed, share


def test_a_new_target_folder_takes_the_saved_parse_and_an_old_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    saved = tmp_path / "saved"
    new, old = tmp_path / "new" / "target", tmp_path / "old" / "target"
    assert not seed(new, saved / "build.msgpack")  # nothing saved yet: dbt parses the project
    old.mkdir(parents=True)
    (old / PARSE_FILE).write_bytes(b"old home's parse")
    assert share(old, saved / "build.msgpack")
    assert (saved / "build.msgpack").read_bytes() == b"old home's parse"
    assert seed(new, saved / "build.msgpack")
    assert (new / PARSE_FILE).read_bytes() == b"old home's parse"
    assert not seed(new, saved / "lake.msgpack")  # by target: another profile, another parse
    (new / PARSE_FILE).write_bytes(b"new home's own")
    assert not seed(new, saved / "build.msgpack")  # a folder's own parse is never replaced
    assert (new / PARSE_FILE).read_bytes() == b"new home's own"
    assert list(saved.iterdir()) == [saved / "build.msgpack"]  # no temporary left


def test_only_a_newer_parse_replaces_the_saved_one(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, text, when in ((first, b"first", 1_000), (second, b"second", 2_000)):
        folder.mkdir()
        (folder / PARSE_FILE).write_bytes(text)
        os.utime(folder / PARSE_FILE, (when, when))
    assert share(second, saved / "build.msgpack")
    assert not share(first, saved / "build.msgpack")  # older: dbt did not parse anything newer
    assert (saved / "build.msgpack").read_bytes() == b"second"
    assert not share(tmp_path / "none", saved / "build.msgpack")  # no parse: nothing to keep


def test_a_folder_that_cannot_be_written_leaves_the_build_as_it_was(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / PARSE_FILE).write_bytes(b"parse")
    assert not share(tmp_path / "home", blocked / "saved" / "build.msgpack")
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "build.msgpack").write_bytes(b"parse")
    assert not seed(blocked / "target", saved / "build.msgpack")
