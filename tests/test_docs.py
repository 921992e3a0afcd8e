"""The README stays true: every setting is documented, the contract commands are named."""

from pathlib import Path

from assistant.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme():
    missing = [f"ASSISTANT_{name.upper()}" for name in Settings.model_fields if f"ASSISTANT_{name.upper()}" not in README]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    head = README[:1500]
    assert "make run" in head and "make test" in head


def test_cli_help_lists_the_contract_subcommands():
    from click.testing import CliRunner

    from assistant.cli import cli

    out = CliRunner().invoke(cli, ["--help"]).output
    for command in ("ingest", "ask", "serve", "eval"):
        assert command in out
