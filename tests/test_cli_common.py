"""The vocabulary every command shares: one error style (text or JSON), -h, --version, examples, flag pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from conftest import SEEDS
from typer.testing import CliRunner

from syndicate import __version__
from syndicate.cli import app
from syndicate.cli.common import CommandGroup, errors_exit_2, wants_json, with_one_article_reader_options
from syndicate.errors import InputError, SyndicateError
from syndicate.read import ReaderOptions

runner = CliRunner()
OWN_COMMANDS = (["scan"], ["diff"], ["show"], ["eval"], ["simulate"])


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_version_and_short_help() -> None:
    assert run("--version").stdout.strip() == f"syndicate {__version__}"
    assert run("-h").exit_code == 0 and "Usage: syndicate" in run("-h").stdout


@pytest.mark.parametrize("command", OWN_COMMANDS)
def test_every_command_has_short_help_with_an_example(command: list[str]) -> None:
    result = run(*command, "-h")
    assert result.exit_code == 0
    assert "Example: syndicate " + command[0] in " ".join(result.stdout.split())


@pytest.mark.parametrize(("args", "message"), [
    (["scan", SEEDS, "--bogus"], "No such option: --bogus (see syndicate scan -h)"),
    (["scan", SEEDS, "--format", "table"], "Invalid value for '--format'"),
    (["show", SEEDS, "--cluster", "zero"], "Invalid value for '--cluster'"),
    (["diff", SEEDS, "--source"], "Option '--source' requires an argument"),
])
def test_usage_errors_are_one_line_in_the_common_style(args: list, message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("syndicate: error: ") and message in " ".join(result.stderr.split())
    assert "╭" not in result.stderr and "Traceback" not in result.output


def test_with_format_json_usage_errors_are_json_too() -> None:
    result = run("scan", SEEDS, "--format", "json", "--limit", "0")
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert set(error) == {"error", "input", "line"} and "--limit" in error["error"]
    assert (error["input"], error["line"]) == (None, None)


def test_wants_json_reads_every_spelling() -> None:
    for args in (["--format", "json"], ["-f", "json"], ["--format=json"], ["-fjson"]):
        assert wants_json(["scan", "x", *args])
    assert not wants_json(["scan", "--format", "text", "json"])


def test_errors_exit_2_names_input_and_line_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    for json_errors in (False, True):
        with pytest.raises(typer.Exit) as caught, errors_exit_2(json_errors):
            raise InputError("a.jsonl", "malformed JSON", 3)
        assert caught.value.exit_code == 2
    text, as_json = capsys.readouterr().err.strip().splitlines()
    assert text == "syndicate: error: a.jsonl:3: malformed JSON"
    assert json.loads(as_json) == {"error": "malformed JSON", "input": "a.jsonl", "line": 3}
    with pytest.raises(typer.Exit), errors_exit_2(True):
        raise SyndicateError("index was built with other parameters")
    assert json.loads(capsys.readouterr().err) == {"error": "index was built with other parameters", "input": None,
                                                    "line": None}


def test_boolean_flags_come_in_pairs() -> None:
    help_text = " ".join(run("scan", "-h").stdout.split())
    assert "--skip-bad --no-skip-bad" in help_text
    assert "--pager --no-pager" in " ".join(run("show", "-h").stdout.split())
    assert "--color --no-color" in " ".join(run("diff", "-h").stdout.split())


def test_a_one_article_command_shows_only_the_flags_reading_one_article_needs(tmp_path: Path) -> None:
    one = typer.Typer(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
    seen: list[ReaderOptions] = []

    @one.command("hook")
    @with_one_article_reader_options
    def hook(path: str, *, options: ReaderOptions) -> None:
        seen.append(options)

    @one.command("other")
    def other() -> None: ...

    help_text = runner.invoke(one, ["hook", "-h"]).stdout
    for shown in ("--text-field", "--id-field", "--id ", "--encoding", "--input-format", "--max-article-mb"):
        assert shown in help_text
    for hidden in ("--skip-bad", "--outlet-field", "--title-field", "--date-field", "--url-field"):
        assert hidden not in help_text
    result = runner.invoke(one, ["hook", "x", "--id", "wire-1", "--text-field", "body", "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert (seen[0].stdin_id, seen[0].fields, seen[0].encoding, seen[0].skip_bad) == ("wire-1", {"text": "body"},
                                                                                       "cp1252", False)


def test_an_unknown_encoding_is_one_line_and_exit_2() -> None:
    result = run("scan", SEEDS, "--encoding", "klingon")
    assert result.exit_code == 2 and "unknown encoding 'klingon' for --encoding" in result.stderr



# --- start-up: a run imports the module of its command only -----------------------------------------------

_REGISTERS_ALONE = """
import json, sys
import typer
from syndicate.cli.group import register
name = sys.argv[1]
group = typer.main.get_command(register([name]))
modules = sorted(m for m in sys.modules if m.startswith("syndicate"))
print(json.dumps({"commands": sorted(group.commands), "modules": modules}))
"""


def test_each_command_is_registered_by_the_module_the_table_names_and_only_that_one_is_imported() -> None:
    """Each command name of COMMAND_MODULES, in a fresh interpreter, registers its command; and a `check` imports
    none of the evaluator, simulator, aligner or reports (what the lazy registration is for)."""
    import subprocess
    import sys

    from syndicate.cli.group import COMMAND_MODULES

    runs = {name: subprocess.Popen([sys.executable, "-c", _REGISTERS_ALONE, name], stdout=subprocess.PIPE, text=True)
            for name in COMMAND_MODULES}
    found = {name: json.loads(run.communicate(timeout=120)[0]) for name, run in runs.items()}
    for name, module in COMMAND_MODULES.items():
        assert name in found[name]["commands"], name
        others = set(COMMAND_MODULES.values()) - {module, "scan"}  # diff and report reuse the scan command's flags
        assert not {f"syndicate.cli.{other}" for other in others} & set(found[name]["modules"]), name
    assert not {"syndicate.evaluate", "syndicate.simulate", "syndicate.diffview", "syndicate.provenance",
                "syndicate.outlets"} & set(found["check"]["modules"])


def test_the_whole_app_has_every_command_of_the_table_and_no_other() -> None:
    """Help and unknown commands see every command: the table must name each one (a command registered by a module
    the table does not name would be missing from `syndicate -h` when another command runs first)."""
    from syndicate.cli.group import COMMAND_MODULES

    assert set(typer.main.get_command(app).commands) == set(COMMAND_MODULES)
