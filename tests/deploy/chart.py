"""Render the Helm chart without helm (not packaged for Debian): the subset it uses.

Go templates as far as deploy/helm/meldkamer uses them: ``define``/``include``,
``range $k, $v :=`` and ``range $v :=`` over maps and lists, ``if``/``end``, values
(``.Values.a.b``, ``$.Release.Name``, ``$var.field``), string literals, and the
functions ``list``, ``quote``, ``toYaml`` and ``nindent``; whitespace trimming with
``{{-`` and ``-}}``. Anything else raises, so a template that uses more fails here
instead of passing untested.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


class Unsupported(ValueError):
    """The template uses Go template syntax this renderer does not know."""


@dataclass
class Node:
    kind: str  # text, expr, range, if, define
    text: str = ""
    children: list[Node] = field(default_factory=list)


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    for match in _ACTION.finditer(source):
        text = source[position : match.start()]
        if match.group(1):
            text = text.rstrip()
        if out and out[-1][0] == "trim-next":
            out.pop()
            text = text.lstrip()
        out.append(("text", text))
        out.append(("action", match.group(2)))
        if match.group(3):
            out.append(("trim-next", ""))
        position = match.end()
    tail = source[position:]
    if out and out[-1][0] == "trim-next":
        out.pop()
        tail = tail.lstrip()
    out.append(("text", tail))
    return out


def parse(source: str) -> list[Node]:
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    for kind, text in _tokens(source):
        if kind == "text":
            stack[-1].append(Node("text", text))
        elif text.startswith("/*"):
            continue
        elif text == "end":
            stack.pop()
        elif text.split(" ", 1)[0] in ("range", "if", "define"):
            word, rest = text.split(" ", 1)
            node = Node(word, rest)
            stack[-1].append(node)
            stack.append(node.children)
        elif text.split(" ", 1)[0] in ("else", "with", "template", "block"):
            raise Unsupported(text)
        else:
            stack[-1].append(Node("expr", text))
    if len(stack) != 1:
        raise Unsupported("unbalanced end")
    return root


@dataclass
class Chart:
    """A chart folder; :meth:`render` gives every template as parsed YAML documents."""

    folder: Path
    release: str = "test"
    defines: dict[str, list[Node]] = field(default_factory=dict)

    def render(self, values: dict[str, Any] | None = None) -> dict[str, list[Any]]:
        chart = yaml.safe_load((self.folder / "Chart.yaml").read_text())
        root = {
            "Values": values or yaml.safe_load((self.folder / "values.yaml").read_text()),
            "Release": {"Name": self.release},
            "Chart": {"Name": chart["name"], "AppVersion": chart["appVersion"]},
        }
        for helper in sorted((self.folder / "templates").glob("*.tpl")):
            for node in parse(helper.read_text()):
                if node.kind == "define":
                    self.defines[json.loads(node.text)] = node.children
        rendered = {}
        for template in sorted((self.folder / "templates").glob("*.yaml")):
            text = self._run(parse(template.read_text()), root, {"$": root})
            rendered[template.name] = [d for d in yaml.safe_load_all(text) if d is not None]
        return rendered

    def _run(self, nodes: list[Node], dot: Any, scope: dict[str, Any]) -> str:
        out = []
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "expr":
                out.append(_string(self._pipe(node.text, dot, scope)))
            elif node.kind == "if":
                if self._pipe(node.text, dot, scope):
                    out.append(self._run(node.children, dot, scope))
            elif node.kind == "range":
                out.append(self._range(node, dot, scope))
        return "".join(out)

    def _range(self, node: Node, dot: Any, scope: dict[str, Any]) -> str:
        names, _, pipe = node.text.partition(":=")
        variables = [v.strip() for v in names.split(",")]
        items = self._pipe(pipe.strip(), dot, scope)
        pairs = sorted(items.items()) if isinstance(items, dict) else list(enumerate(items))
        out = []
        for key, item in pairs:
            inner = dict(scope)
            if len(variables) == 2:
                inner[variables[0]], inner[variables[1]] = key, item
            else:
                inner[variables[0]] = item
            out.append(self._run(node.children, item, inner))
        return "".join(out)

    def _pipe(self, text: str, dot: Any, scope: dict[str, Any]) -> Any:
        stages = [shlex.split(stage, posix=False) for stage in text.split("|")]
        value = self._call(stages[0], dot, scope, None)
        for stage in stages[1:]:
            value = self._call(stage, dot, scope, value)
        return value

    def _call(self, words: list[str], dot: Any, scope: dict[str, Any], piped: Any) -> Any:
        head, args = words[0], [self._value(w, dot, scope) for w in words[1:]]
        if piped is not None or head in ("quote", "toYaml", "nindent"):
            args = [*args, piped] if piped is not None else args
        if head == "include":
            return self._run(self.defines[args[0]], args[1], {"$": args[1]}).strip()
        if head == "list":
            return args
        if head == "quote":
            return json.dumps(_string(args[0]))
        if head == "toYaml":
            return yaml.safe_dump(args[0], default_flow_style=False, sort_keys=False).rstrip()
        if head == "nindent":
            width, text = int(args[0]), str(args[1])
            return "\n" + "\n".join(" " * width + line for line in text.splitlines())
        if len(words) == 1 and piped is None:
            return self._value(head, dot, scope)
        raise Unsupported(" ".join(words))

    def _value(self, word: str, dot: Any, scope: dict[str, Any]) -> Any:
        if word.startswith('"'):
            return json.loads(word)
        if word.isdigit():
            return int(word)
        if word == ".":
            return dot
        base, path = dot, word
        if word.startswith("$"):
            name, _, path = word.partition(".")
            base = scope[name]
        elif word.startswith("."):
            path = word[1:]
        else:
            raise Unsupported(word)
        for part in filter(None, path.split(".")):
            base = base[part]
        return base


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
