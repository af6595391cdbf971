"""Print pb's import cycles, upward imports and largest modules: `python .ci/import_report.py`.

import-linter (`lint-imports`) enforces the layers; this script shows the whole picture,
including the cycles between single modules and the imports made inside functions.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Highest first; an import from a later layer to an earlier one points up.
LAYERS = [
    ("pb.web", "pb.realtime", "pb.api", "pb.cli", "pb.serve", "pb.loadtest", "pb.demo",
     "pb.factory", "pb.commands", "pb.factory"),
    ("pb.services",),
    ("pb.broadcast",),
    ("pb.models",),
    ("pb.domain",),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> list[tuple[str, int, bool]]:
    """Return (imported pb module, line, inside a function) for every runtime import."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for a in child.names:
                    found.append((f"{base}.{a.name}", child.lineno, in_function))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return [(m, line, f) for m, line, f in found if m == "pb" or m.startswith("pb.")]


def resolve(target: str, modules: set[str]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def layer(name: str) -> int | None:
    for i, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def main() -> int:
    files = {module_name(p): p for p in sorted((ROOT / "pb").rglob("*.py"))}
    modules = set(files)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    upward: list[str] = []
    inner: list[str] = []
    for name, path in files.items():
        for target, line, in_function in imports(path, name):
            resolved = resolve(target, modules)
            if resolved is None or resolved == name:
                continue
            # A package's __init__ is imported along with any module inside it.
            if not name.startswith(resolved + ".") or resolved == "pb":
                graph[name].add(resolved)
            mine, theirs = layer(name), layer(resolved)
            where = f"{path.relative_to(ROOT)}:{line}"
            if mine is not None and theirs is not None and theirs < mine:
                upward.append(f"  {where}  {name} -> {resolved}")
            if in_function:
                inner.append(f"  {where}  {resolved}")
    found = cycles(graph)
    print(f"import cycles between modules: {len(found)}")
    for comp in found:
        print("  " + " <-> ".join(comp))
    print(f"upward imports (against web|realtime|api -> services -> broadcast -> models -> "
          f"domain): {len(upward)}")
    print("\n".join(upward))
    print(f"imports inside functions: {len(inner)}")
    if "-v" in sys.argv:
        print("\n".join(inner))
    sizes = sorted(((len(p.read_text().splitlines()), n) for n, p in files.items()), reverse=True)
    print("largest modules:")
    for lines, name in sizes[:8]:
        print(f"  {lines:5d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
