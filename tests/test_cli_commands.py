"""A command line that names its subcommand first is parsed by that subcommand's parser alone
(``fakeauth serve`` then imports neither ``fakeauth run``'s code nor ``fakeauth verify``'s): to
the same result, with the same help and the same errors, as by the whole parser."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from fakeauth.cli import COMMANDS, command_parser
from fakeauth.errors import ConfigurationError

#: Command lines of each subcommand: help, a usage error, and ones that parse.
COMMAND_LINES = [
    ["serve", "--help"],
    ["serve", "--port", "0", "--max-lanes", "3", "--allow-host", "web", "--quiet"],
    ["serve", "--data", "state.json", "--journal-budget", "9"],
    ["serve", "--max-connections", "0"],
    ["serve", "--no-such-option"],
    ["serve", "stray"],
    ["run", "--help"],
    ["run", "--port", "0", "--", "pytest", "-q"],
    ["run", "--seed", "seed.toml"],
    ["run", "--request-timeout", "soon", "--", "true"],
    ["verify", "--help"],
    ["verify", "--vendor", "ovok", "--format", "json", "--timeout", "3"],
    ["verify", "--vendor", "nobody"],
    ["verify", "--format"],
]


def parsed(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    """What ``parser`` makes of ``argv``: the namespace (or the exit status), standard output,
    standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            namespace = vars(parser.parse_args(argv))
        except SystemExit as exit_:
            return exit_.code, out.getvalue(), err.getvalue()
    # `fakeauth run` keeps its parser (for its usage errors): compared by what it prints.
    run_parser = namespace.pop("run_parser", None)
    if run_parser is not None:
        namespace["run_parser"] = run_parser.format_help()
    return namespace, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=" ".join)
def test_a_subcommands_own_parser_answers_as_the_whole_parser(argv: list[str]) -> None:
    whole = parsed(command_parser(), argv)

    alone = parsed(command_parser(argv[0]), argv)

    assert alone == whole


def test_the_whole_parser_offers_every_subcommand_and_no_other() -> None:
    status, _, err = parsed(command_parser(), ["nope"])

    assert status == 2
    assert err.endswith(
        "fakeauth: error: argument COMMAND: invalid choice: 'nope' (choose from "
        + ", ".join(f"'{name}'" for name in COMMANDS)
        + ")\n"
    )


def test_a_parser_of_no_such_subcommand_is_refused() -> None:
    with pytest.raises(ConfigurationError) as info:
        command_parser("serv")

    assert str(info.value) == (
        "fakeauth: no subcommand 'serv'; give one of serve, run, verify, or None"
    )
