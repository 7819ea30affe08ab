"""docs/plugins.md tells the truth about the hooks, the model and the built-in plugins.

Every hookspec has a ``### `name(params)` `` heading whose parameters are exactly the spec's,
followed by its typed signature, whether the first result wins, and an example that is a
complete plugin module: every python block is executed and, when it implements hooks,
registered on a fresh plugin manager (pluggy validates each implementation's arguments).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
import types
from dataclasses import dataclass
from typing import Any

import click
import pluggy
import pytest
import sqlite_utils
from conftest import REPO
from shelver import context, hookspecs, model
from shelver.manager import (
    DEFAULT_PLUGINS,
    builtin_docs_table,
    describe_plugins,
    get_plugin_manager,
)
from shelver.store import StateDB

DOC = REPO / "docs" / "plugins.md"
TEXT = DOC.read_text(encoding="utf-8")

HOOK_HEADING = re.compile(r"^### `(?P<name>\w+)\((?P<params>[^)]*)\)`$", re.MULTILINE)
HEADING = re.compile(r"^(#{2,3}) (.+)$", re.MULTILINE)
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```$",
                   re.MULTILINE | re.DOTALL)
SIGNATURE_LINE = re.compile(r"^\*\*Signature:\*\* `(?P<sig>.+)`$", re.MULTILINE)
FIRST_WINS = "**First non-None result wins.**"
ALL_CALLED = "**Every implementation is called.**"


# ----------------------------------------------------------------------------------------------
# What the code says
# ----------------------------------------------------------------------------------------------


def hook_specs() -> dict[str, Any]:
    """Every hookspec function in shelver.hookspecs, in source order."""
    marker_reader = pluggy.PluginManager("shelver")
    specs = {name: getattr(hookspecs, name) for name in dir(hookspecs)
             if marker_reader.parse_hookspec_opts(hookspecs, name) is not None}
    return dict(sorted(specs.items(), key=lambda pair: pair[1].__code__.co_firstlineno))


def is_firstresult(name: str) -> bool:
    opts = pluggy.PluginManager("shelver").parse_hookspec_opts(hookspecs, name)
    return bool(opts and opts.get("firstresult"))


def _annotation(value: Any) -> str:
    return value if isinstance(value, str) else inspect.formatannotation(value)


def heading_of(name: str, fn: Any) -> str:
    return f"{name}({', '.join(inspect.signature(fn).parameters)})"


def typed_signature(name: str, fn: Any) -> str:
    sig = inspect.signature(fn)
    params = ", ".join(
        p.name if p.annotation is p.empty else f"{p.name}: {_annotation(p.annotation)}"
        for p in sig.parameters.values())
    returns = ("" if sig.return_annotation is sig.empty
               else f" -> {_annotation(sig.return_annotation)}")
    return f"{name}({params}){returns}"


# ----------------------------------------------------------------------------------------------
# What the document says
# ----------------------------------------------------------------------------------------------


@dataclass
class Block:
    line: int
    lang: str
    source: str
    section: str  # the nearest heading above it


def headings() -> list[tuple[int, str]]:
    return [(match.start(), match.group(2)) for match in HEADING.finditer(TEXT)]


def section_of(offset: int) -> str:
    above = [title for start, title in headings() if start < offset]
    return above[-1] if above else ""


def code_blocks(lang: str | None = None) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(TEXT):
        if lang is not None and match.group("lang") != lang:
            continue
        blocks.append(Block(line=TEXT.count("\n", 0, match.start()) + 1, lang=match.group("lang"),
                            source=textwrap.dedent(match.group("body")),
                            section=section_of(match.start())))
    return blocks


def hook_sections() -> dict[str, str]:
    """``{hook name: its section's text}`` for every ``### `hook(...)` `` heading."""
    starts = [(m.start(), m.group("name")) for m in HOOK_HEADING.finditer(TEXT)]
    ends = [start for start, _title in headings()] + [len(TEXT)]
    sections = {}
    for start, name in starts:
        end = min(e for e in ends if e > start)
        sections[name] = TEXT[start:end]
    return sections


def slug(title: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def load_block(block: Block) -> types.ModuleType:
    module = types.ModuleType(f"docs_plugins_md_line_{block.line}")
    code = compile(block.source, f"{DOC}:{block.line}", "exec")
    exec(code, module.__dict__)  # noqa: S102 -- running the documented examples is the point
    return module


def implemented_hooks(module: types.ModuleType) -> set[str]:
    marker_reader = pluggy.PluginManager("shelver")
    return {name for name in dir(module)
            if marker_reader.parse_hookimpl_opts(module, name) is not None}


PYTHON_BLOCKS = code_blocks("python")


# ----------------------------------------------------------------------------------------------
# Hooks
# ----------------------------------------------------------------------------------------------


def test_every_hook_is_documented_with_its_signature() -> None:
    specs = hook_specs()
    documented = {m.group("name"): f"{m.group('name')}({m.group('params')})"
                  for m in HOOK_HEADING.finditer(TEXT)}
    missing = sorted(set(specs) - set(documented))
    unknown = sorted(set(documented) - set(specs))
    drifted = {name: (documented[name], heading_of(name, fn)) for name, fn in specs.items()
               if name in documented and documented[name] != heading_of(name, fn)}
    assert not missing, f"hooks without a '### `hook(...)`' heading in {DOC}: {missing}"
    assert not unknown, f"{DOC} documents hooks that do not exist: {unknown}"
    assert not drifted, f"documented signature != hookspec (documented, real): {drifted}"


def test_hooks_are_documented_in_spec_order() -> None:
    documented = [m.group("name") for m in HOOK_HEADING.finditer(TEXT)]
    assert documented == list(hook_specs()), "keep the hook sections in hookspecs.py's order"


def test_no_duplicate_hook_headings() -> None:
    documented = [m.group("name") for m in HOOK_HEADING.finditer(TEXT)]
    assert len(documented) == len(set(documented))


@pytest.mark.parametrize("name", list(hook_specs()))
def test_hook_section_states_typed_signature(name: str) -> None:
    section = hook_sections().get(name)
    assert section is not None, f"{name} is not documented"
    found = SIGNATURE_LINE.search(section)
    assert found, f"the {name} section has no '**Signature:** `...`' line"
    assert found.group("sig") == typed_signature(name, hook_specs()[name])


@pytest.mark.parametrize("name", list(hook_specs()))
def test_hook_section_says_whether_first_result_wins(name: str) -> None:
    section = hook_sections()[name]
    expected, wrong = (FIRST_WINS, ALL_CALLED) if is_firstresult(name) else (ALL_CALLED, FIRST_WINS)
    assert expected in section and wrong not in section, f"{name}: say {expected!r}"


@pytest.mark.parametrize("name", list(hook_specs()))
def test_hook_section_has_an_example_implementing_it(name: str) -> None:
    heading = next(m.group(0)[4:] for m in HOOK_HEADING.finditer(TEXT) if m.group("name") == name)
    examples = [block for block in PYTHON_BLOCKS if block.section == heading]
    assert examples, f"the {name} section has no python example"
    assert any(name in implemented_hooks(load_block(block)) for block in examples), (
        f"no example in the {name} section implements {name} with @hookimpl")


# ----------------------------------------------------------------------------------------------
# Code blocks
# ----------------------------------------------------------------------------------------------


def test_the_document_has_examples() -> None:
    assert len(PYTHON_BLOCKS) > len(hook_specs())


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"line{b.line}" for b in PYTHON_BLOCKS])
def test_python_block_runs_and_registers(block: Block) -> None:
    """Each block runs as a module; one that implements hooks is a valid plugin."""
    module = load_block(block)
    hooks = implemented_hooks(module)
    if not hooks:
        return
    pm = get_plugin_manager()
    assert pm.register_named(module, "docs-example", "docs/plugins.md"), pm.load_errors
    assert not pm.load_errors
    pm.check_pending()
    described = {entry["name"]: set(entry["hooks"]) for entry in describe_plugins(pm)}
    assert described["docs-example"] == hooks


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"line{b.line}" for b in PYTHON_BLOCKS])
def test_python_block_imports_only_the_public_api(block: Block) -> None:
    """What a plugin may import is ``shelver.api`` (docs/plugins.md, "The API"): the examples,
    plugin code and test code alike, teach nothing else of shelver."""
    import ast

    imported = set()
    for node in ast.walk(ast.parse(block.source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    private = {name for name in imported
               if (name == "shelver" or name.startswith("shelver.")) and name != "shelver.api"}
    assert not private, f"{DOC}:{block.line} imports {sorted(private)}: use shelver.api"


def test_registration_examples_do_what_they_say(tmp_path: Any) -> None:
    """The registration hooks' examples, called for real."""
    pm = get_plugin_manager(disable=[name for name, _dotted in DEFAULT_PLUGINS])
    for block in PYTHON_BLOCKS:
        module = load_block(block)
        hooks = implemented_hooks(module)
        if hooks & {"shelver_config_schema", "shelver_register_commands",
                    "shelver_register_modes", "shelver_register_migrations"}:
            assert pm.register_named(module, f"line{block.line}", "docs"), pm.load_errors

    schemas = [s for s in pm.hook.shelver_config_schema() if s]
    assert schemas and all(isinstance(keys, dict) for s in schemas for keys in s.values())

    group = click.Group()
    pm.hook.shelver_register_commands(cli=group)
    assert group.commands, "the shelver_register_commands example adds no command"

    modes: dict[str, str] = {}
    pm.hook.shelver_register_modes(register=lambda name, text: modes.setdefault(name, text))
    assert modes, "the shelver_register_modes example registers no mode"

    migrations: list[tuple[str, Any]] = []
    pm.hook.shelver_register_migrations(register=lambda name, fn: migrations.append((name, fn)))
    assert migrations, "the shelver_register_migrations example registers nothing"
    db = sqlite_utils.Database(tmp_path / "m.db")
    for _name, migrate in migrations:
        migrate(db)
    assert db.table_names()


def test_internal_links_point_at_headings() -> None:
    anchors = {slug(title) for _start, title in headings()}
    links = re.findall(r"\]\(#([^)]+)\)", TEXT)
    assert links
    broken = [link for link in links if link not in anchors]
    assert not broken, f"links to no heading: {broken}"


# ----------------------------------------------------------------------------------------------
# Context, model, built-in plugins
# ----------------------------------------------------------------------------------------------


def section_text(title: str) -> str:
    start = TEXT.index(f"\n## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:end if end != -1 else len(TEXT)]


def test_every_run_context_field_is_documented() -> None:
    text = section_text("The run context `ctx`")
    fields = [f.name for f in dataclasses.fields(context.RunContext)]
    missing = [name for name in fields if f"| `{name}` |" not in text]
    assert not missing, f"RunContext fields missing from the ctx table: {missing}"


@pytest.mark.parametrize("cls", [model.Item, model.ParsedName, model.Match, model.Identity,
                                 model.DownloaderHints, model.Plan, model.Placement],
                         ids=lambda cls: cls.__name__)
def test_every_model_field_is_documented(cls: type) -> None:
    text = section_text("The data model")
    assert f"**`{cls.__name__}`**" in text
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in text]
    assert not missing, f"{cls.__name__} fields missing from 'The data model': {missing}"


def test_every_status_is_documented() -> None:
    text = section_text("The data model")
    missing = [status.value for status in model.Status if f"`{status.value}`" not in text]
    assert not missing


def documented_builtin_table() -> str:
    """The table under "## Built-in plugins", as written."""
    rows = [line for line in section_text("Built-in plugins").splitlines() if line.startswith("|")]
    return "\n".join(rows) + "\n"


def test_builtin_table_matches_the_plugin_manager() -> None:
    """The table is generated from a live plugin manager (every built-in, its module, its hooks)."""
    generated = builtin_docs_table(get_plugin_manager())
    assert documented_builtin_table() == generated, (
        f"{DOC}'s built-in plugins table is out of date: regenerate it with "
        f"`python -m shelver.manager --docs-table` and paste the output under "
        f"'## Built-in plugins'")
    listed = [row.split("|")[1].strip(" `") for row in generated.splitlines()[2:]]
    assert listed == [name for name, _dotted in DEFAULT_PLUGINS], "a built-in failed to load"


# ----------------------------------------------------------------------------------------------
# docs/architecture.md: the in-repo picture
# ----------------------------------------------------------------------------------------------

ARCHITECTURE = REPO / "docs" / "architecture.md"


def test_architecture_names_every_hook() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [name for name in hook_specs() if f"`{name}`" not in text]
    assert not missing, f"{ARCHITECTURE} does not name these hooks (core/hookspecs.py): {missing}"


def test_architecture_names_every_core_table(tmp_path: Any) -> None:
    """Every table the core's own migrations create (a real DB, no plugin migrations)."""
    StateDB(tmp_path / "state.db").close()
    created = sqlite_utils.Database(tmp_path / "state.db").table_names()
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [name for name in created if f"`{name}`" not in text]
    assert created and not missing, (
        f"{ARCHITECTURE} does not name these state DB tables (core/store/migrations.py): {missing}")


def test_architecture_names_every_builtin_plugin_and_core_module() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    plugins = [name for name, _dotted in DEFAULT_PLUGINS if f"| `{name}` |" not in text]
    # Modules of core's sub-packages by their path under core/ (`engine/pipeline.py`), the
    # package's own module too (`store/__init__.py`); core/testing/ is named as a folder.
    core = REPO / "core"
    modules = [path.relative_to(core).as_posix() for path in sorted(core.rglob("*.py"))
               if path.parent.name != "testing" and path.relative_to(core).as_posix() != "__init__.py"
               and f"`{path.relative_to(core).as_posix()}`" not in text]
    assert "`testing/`" in text, f"{ARCHITECTURE}: core/testing/ missing from the table"
    assert not plugins, f"{ARCHITECTURE}: built-in plugins missing from the table: {plugins}"
    assert not modules, f"{ARCHITECTURE}: core modules missing from the table: {modules}"
