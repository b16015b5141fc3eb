"""The house plan: imports point one way, and no two modules import each other in a circle.

Any import counts, even one inside a function: a circle hidden in a function
still ties the two modules together (issue 10 found cards, context and crisis
in one).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows")


def _graph() -> dict[str, set[str]]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_through_others():
    assert _cycle(_graph()) is None


def test_flows_do_not_reach_up_to_the_adapters_or_the_conversation():
    graph = _graph()
    for name, targets in graph.items():
        if name.startswith("flows"):
            assert not {t for t in targets if t.startswith("bot.adapters") or t == "bot.conversation"}, name
        if not name.startswith(("bot.adapters", "bot.bench")) and name != "bot.cli":  # the front door and benchmarks start them
            assert not {t for t in targets if t.startswith("bot.adapters")}, name
