"""MkDocs hooks: the pages generated from the code, and docstring roles made readable.

- ``routes/<vendor>.md``, one per vendor, from :func:`fakeauth.openapi.openapi_document`: every
  operation's method, path, operation id, security, request body fields and replies by status
  (a refusal's too; nested objects' fields as rows of the same table), each status with its
  examples as HTTP messages (``examples.py`` beside this file), with every schema the page names
  listed (``$ref``\\ s resolved) at the end;
- ``reference/cli.md``, from the argparse parser of ``fakeauth``;
- in the rendered HTML, Sphinx roles (``:class:`~fakeauth.FakeAuth```) shown as code.

``route_page(vendor)`` and ``cli_page()`` are plain functions, so ``tests/test_docs.py`` checks
the pages without building the site.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from fakeauth.openapi import openapi_document
from fakeauth.vendors import VENDORS

__all__ = [
    "ROUTE_PAGES",
    "cli_page",
    "on_files",
    "on_page_content",
    "on_page_markdown",
    "route_page",
]

#: The generated route pages, by vendor.
ROUTE_PAGES = {vendor.name: f"routes/{vendor.name}.md" for vendor in VENDORS}
CLI_PAGE = "reference/cli.md"
_REF = "#/components/schemas/"
_TAG = re.compile(r"(?<![\\`])\[([A-Z]{2,})\](?![(\[:])")
_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):<code>(~?)([\w.]+)</code>")
#: How deep the field tables show nested objects' fields.
_NESTING = 5


def _sibling(name: str) -> ModuleType:
    """The hook module ``name`` beside this one (MkDocs loads hooks by path, not as a package)."""
    qualified = f"fakeauth_docs_hooks_{name}"
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            qualified, Path(__file__).with_name(f"{name}.py")
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]


_EXAMPLES = _sibling("examples")


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (MkDocs' ``on_files`` event)."""
    from mkdocs.structure.files import File

    for vendor, uri in ROUTE_PAGES.items():
        files.append(File.generated(config, uri, content=route_page(vendor)))
    files.append(File.generated(config, CLI_PAGE, content=cli_page()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Keep the fidelity tags (``[DOC]``, ``[SRC]``, ``[PROPOSAL]``) as text, not as
    cross-references for mkdocs-autorefs to resolve (``on_page_markdown``)."""
    return _TAG.sub(r"\\[\1\\]", markdown)


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    """Show ``:class:`~a.b.C``` roles left in docstrings as ``C`` in code (``on_page_content``)."""

    def shown(match: re.Match[str]) -> str:
        tilde, name = match.groups()
        return f"<code>{name.rsplit('.', 1)[-1] if tilde else name}</code>"

    return _ROLE.sub(shown, html_text)


# -- the route pages ----------------------------------------------------------------------------


def route_page(vendor: str) -> str:
    """The Markdown route reference of one vendor, from its OpenAPI document."""
    document = _vendor_document(vendor)
    schemas: dict[str, Any] = document["components"]["schemas"]
    security: dict[str, Any] = document["components"].get("securitySchemes", {})
    tag = next(t for t in document["tags"] if t["name"] == vendor)
    named: list[str] = []
    lines = [
        f"# {document['info']['title'].removeprefix('fakeauth: ')} routes",
        "",
        "*Generated from `fakeauth.openapi.openapi_document"
        f'("{vendor}")` when the site is built; the same document is served at '
        f"`GET /_fakeauth/openapi/{vendor}.json`.*",
        "",
        _cell(tag.get("description", "")),
        "",
        "| method | path | operation id | summary |",
        "|---|---|---|---|",
    ]
    operations = list(_operations(document))
    for method, path, operation in operations:
        op_id = operation["operationId"]
        lines.append(
            f"| `{method}` | `{path}` | [`{op_id}`](#{_anchor(op_id)}) "
            f"| {_cell(operation.get('summary', ''))} |"
        )
    lines.append("")
    for method, path, operation in operations:
        lines += _operation_section(method, path, operation, schemas, security, named)
    lines += _schema_sections(schemas, named)
    return "\n".join(lines) + "\n"


def _vendor_document(vendor: str) -> dict[str, Any]:
    """The vendor's own document; before it existed, the combined one cut to the vendor's tag."""
    try:
        return openapi_document(vendor)
    except TypeError:  # openapi_document() took no vendor
        document = openapi_document()
    for item in document["paths"].values():
        for method in [m for m, op in item.items() if vendor not in op.get("tags", ())]:
            del item[method]
    document["paths"] = {path: item for path, item in document["paths"].items() if item}
    document["tags"] = [tag for tag in document["tags"] if tag["name"] == vendor]
    return document


def _operations(document: dict[str, Any]) -> Any:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                yield method.upper(), path, operation


def _operation_section(
    method: str,
    path: str,
    operation: dict[str, Any],
    schemas: dict[str, Any],
    security: dict[str, Any],
    named: list[str],
) -> list[str]:
    op_id = operation["operationId"]
    lines = [
        f"## `{method} {path}` {{#{_anchor(op_id)}}}",
        "",
        f"**{_cell(operation.get('summary', ''))}**",
        "",
        f'Operation id: `{op_id}` (`fake.calls("{op_id}")`).',
        "",
    ]
    if operation.get("description"):
        lines += [operation["description"], ""]
    lines += [_security_line(operation.get("security"), security), ""]
    for parameter in operation.get("parameters", []):
        lines.append(
            f"- path parameter `{parameter['name']}`: {_type(parameter.get('schema', {}), named)}"
        )
    if operation.get("parameters"):
        lines.append("")
    body = operation.get("requestBody")
    if body is not None:
        media = ", ".join(f"`{m}`" for m in body["content"])
        required = "required" if body.get("required") else "optional"
        lines += [f"### Request body ({required}; {media})", ""]
        first = next(iter(body["content"].values()))["schema"]
        lines += _fields(first, schemas, named, "request")
    lines += ["### Replies", ""]
    for status, reply in operation["responses"].items():
        lines += _reply(status, reply, schemas, named)
        lines += _EXAMPLES.status_examples(op_id, int(status), _anchor)
    return lines


def _security_line(required: list[dict[str, Any]] | None, schemes: dict[str, Any]) -> str:
    if not required:
        return "Credentials: none."
    options = []
    for alternative in required:
        if not alternative:
            options.append("none")
            continue
        options.append(
            " and ".join(
                f"`{name}` ({_cell(schemes.get(name, {}).get('description', ''))})"
                for name in alternative
            )
        )
    return "Credentials: " + "; or ".join(options) + "."


def _reply(
    status: str, reply: dict[str, Any], schemas: dict[str, Any], named: list[str]
) -> list[str]:
    lines = [f"#### `{status}`: {_cell(reply.get('description', ''))}", ""]
    for name, header in reply.get("headers", {}).items():
        required = "always" if header.get("required") else "sometimes"
        lines.append(f"- header `{name}` ({required}): {_cell(header.get('description', ''))}")
    if reply.get("headers"):
        lines.append("")
    content = reply.get("content", {})
    if not content:
        lines += ["An empty body.", ""]
        return lines
    for media, entry in content.items():
        # A refusal's fields are rows here too: the vendor's error shape reads without Schemas.
        fields = _fields(entry.get("schema", {}), schemas, named, "reply")
        if len(fields) == 2:  # a type without fields (text): one sentence
            lines += [f"Body (`{media}`): {fields[0]}", ""]
        else:
            lines += [f"Body (`{media}`):", "", *fields]
    return lines


def _fields(
    schema: dict[str, Any], schemas: dict[str, Any], named: list[str], side: str
) -> list[str]:
    """A field table of ``schema`` (resolved when it is a ``$ref``), or its type when it is not
    an object with properties. The fields of nested objects are rows of the same table
    (``project.reference``, ``profile.name[].given``), so a reply reads without the schemas."""
    name = _ref_name(schema)
    resolved = schemas[name] if name else schema
    if not resolved.get("properties"):
        options = _nested(schema, schemas)  # an array or a choice of objects: their fields
        if not options:
            return [f"{_type(schema, named)}.", ""]
        lines = [
            f"{_type(schema, named)}:",
            "",
            "| field | type | required | notes |",
            "|---|---|---|---|",
        ]
        for suffix, nested, label in options:
            within = label if len(options) > 1 else ""
            lines += _rows(nested, schemas, named, side, f"{suffix}." if suffix else "", within, 0)
        return [*lines, ""]
    lines = []
    if name:
        _name(name, named)
        lines += [f"[`{name}`](#{_schema_anchor(name)}):", ""]
    lines += ["| field | type | required | notes |", "|---|---|---|---|"]
    lines += _rows(resolved, schemas, named, side, "", "", 0)
    return [*lines, ""]


def _rows(
    resolved: dict[str, Any],
    schemas: dict[str, Any],
    named: list[str],
    side: str,
    prefix: str,
    within: str,
    depth: int,
) -> list[str]:
    """The rows of an object's fields, each followed by the rows of the objects it holds."""
    required = set(resolved.get("required", []))
    rows = []
    for field, spec in resolved["properties"].items():
        path = f"{prefix}{field}"
        notes = _notes(spec, side)
        if within:
            notes = f"in `{within}`" + (f": {notes}" if notes else "")
        rows.append(
            f"| `{path}` | {_type(spec, named)} | {'yes' if field in required else 'no'} "
            f"| {notes} |"
        )
        if depth < _NESTING:
            options = _nested(spec, schemas)
            for suffix, nested, name in options:
                label = name if len(options) > 1 else within
                rows += _rows(nested, schemas, named, side, f"{path}{suffix}.", label, depth + 1)
    return rows


def _nested(spec: dict[str, Any], schemas: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """The objects with fields that ``spec`` holds: itself, its items (``[]``) or each of its
    alternatives; each with the suffix of its field name and its schema's name."""
    name = _ref_name(spec)
    if name:
        resolved = schemas[name]
        return [("", resolved, name)] if resolved.get("properties") else []
    if spec.get("type") == "array" and isinstance(spec.get("items"), dict):
        return [("[]" + suffix, found, n) for suffix, found, n in _nested(spec["items"], schemas)]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in spec:
            return [found for option in spec[key] for found in _nested(option, schemas)]
    if spec.get("properties"):
        return [("", spec, spec.get("title", "object"))]
    return []


def _schema_sections(schemas: dict[str, Any], named: list[str]) -> list[str]:
    """Every schema the page names, and every schema those name in turn, in order of mention."""
    if not named:
        return []
    lines = ["## Schemas", ""]
    done = 0
    while done < len(named):  # each name is added once: the loop ends with the schemas
        name = named[done]
        done += 1
        schema = schemas[name]
        lines += [f"### `{name}` {{#{_schema_anchor(name)}}}", ""]
        if schema.get("description"):
            lines += [_cell(schema["description"]), ""]
        if schema.get("properties"):
            lines += _fields({"$ref": _REF + name}, schemas, named, "schema")
        else:
            lines += [f"{_type(schema, named, top=True)}.", ""]
    return lines


def _notes(spec: dict[str, Any], side: str) -> str:
    notes = []
    if spec.get("description"):
        notes.append(_cell(spec["description"]))
    for key, word in (
        ("minLength", "at least {} character(s)"),
        ("maxLength", "at most {} character(s)"),
        ("minimum", "from {}"),
        ("maximum", "to {}"),
        ("pattern", "matches `{}`"),
        ("format", "format `{}`"),
    ):
        if key in spec:
            notes.append(word.format(_cell(str(spec[key]))))
    if side == "request" and "default" in spec and spec["default"] is not None:
        notes.append(f"default `{_cell(repr(spec['default']))}`")
    return "; ".join(notes)


def _type(schema: dict[str, Any], named: list[str], *, top: bool = False) -> str:
    """A schema's type in words, with a link to each named schema it uses."""
    name = _ref_name(schema)
    if name and not top:
        _name(name, named)
        return f"[`{name}`](#{_schema_anchor(name)})"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type(option, named) for option in schema[key])
    if "allOf" in schema:
        return " and ".join(_type(option, named) for option in schema["allOf"])
    if "const" in schema:
        return f"`{_cell(_json(schema['const']))}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{_cell(_json(v))}`" for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(_type({**schema, "type": k}, named) for k in kind)
    if kind == "array":
        items = schema.get("items")
        return f"array of {_type(items, named)}" if items else "array"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {_type(schema['additionalProperties'], named)}"
    if kind:
        return str(kind)
    return "any JSON value"


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.removeprefix(_REF) if isinstance(ref, str) and ref.startswith(_REF) else None


def _name(name: str, named: list[str]) -> None:
    if name not in named:
        named.append(name)


def _json(value: Any) -> str:
    return '"' + value + '"' if isinstance(value, str) else str(value).lower()


def _anchor(operation_id: str) -> str:
    return operation_id.replace(".", "-").replace("_", "-")


def _schema_anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def _cell(text: str) -> str:
    """``text`` on one line, safe in a Markdown table cell (no ``|``, no raw HTML)."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


# -- the CLI page -------------------------------------------------------------------------------


def cli_page() -> str:
    """The Markdown reference of the ``fakeauth`` command, from its argparse parser."""
    from fakeauth.cli import command_parser

    parser = command_parser()
    lines = [
        "# The `fakeauth` command",
        "",
        "*Generated from the command's own argparse parser when the site is built; "
        "`fakeauth COMMAND --help` prints the same.*",
        "",
        _cell(parser.description or ""),
        "",
    ]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                lines += _command(name, command)
    return "\n".join(lines) + "\n"


def _command(name: str, command: argparse.ArgumentParser) -> list[str]:
    options = [a for a in command._actions if a.option_strings and a.help != argparse.SUPPRESS]
    synopsis = " ".join(f"[{_flag(a)}]" for a in options if not isinstance(a, argparse._HelpAction))
    # The positional arguments (``fakeauth run``'s ``-- COMMAND [ARG ...]``) after the options.
    synopsis += "".join(f" {a.metavar or a.dest}" for a in command._actions if not a.option_strings)
    lines = [
        f"## `fakeauth {name}`",
        "",
        _cell(command.description or ""),
        "",
        "```text",
        f"fakeauth {name} {synopsis}",
        "```",
        "",
        "| option | default | meaning |",
        "|---|---|---|",
    ]
    for action in options:
        default = (
            "" if action.default in (None, False, argparse.SUPPRESS) else f"`{action.default}`"
        )
        lines.append(f"| `{_flag(action)}` | {default} | {_cell(action.help or '')} |")
    return [*lines, ""]


def _flag(action: argparse.Action) -> str:
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        return flag
    return f"{flag} {action.metavar or action.dest.upper()}"
