"""Every sub-command's --help teaches: a one-line description, each argument explained,
an example that is a real `tertial` command line of that sub-command, its exit codes."""

from __future__ import annotations

import argparse
import shlex

import pytest

from tertial.cli import main, parser


def sub_commands(
    command: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every sub-command of `command`, nested ones too (`access grant`), from the parser
    itself: a command added later is checked without this test naming it."""
    found = []
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*path, name), sub))
                found.extend(sub_commands(sub, (*path, name)))
    return found


COMMANDS = sub_commands(parser())


def test_the_parser_has_its_sub_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    # A floor, not the list: the parametrised test below takes whatever the parser has.
    assert {"ingest", "query", "retract", "status", "history", "access grant"} <= names
    assert len(names) >= 18


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_help_has_description_arguments_examples_and_exit_codes(
    path: tuple[str, ...], command: argparse.ArgumentParser, capsys
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out

    description = (command.description or "").strip()
    first = description.splitlines()[0] if description else ""
    assert first.endswith(".") and len(first) <= 100, first  # one line, a sentence
    assert first in text

    for action in command._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{' '.join(path)}: {action.dest} has no help"

    assert "examples:" in text
    examples = text.split("examples:", 1)[1].split("exit codes:", 1)[0]
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    ours = [line for line in lines if shlex.split(line, comments=True)[:1] == ["tertial"]]
    assert any(shlex.split(line, comments=True)[1 : 1 + len(path)] == list(path) for line in ours)
    for line in ours:
        # Each example is a command line this parser takes (not a made-up option).
        words = shlex.split(line.split(" > ")[0].split(" && ")[0], comments=True)
        if words[1 : 1 + len(path)] == list(path):
            parser().parse_args(words[1:])

    assert "exit codes:" in text and "0 " in text.split("exit codes:", 1)[1]
