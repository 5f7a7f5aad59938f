#!/usr/bin/env python3
"""Fails when the files of a crate import each other in a cycle.

A file is a module; an edge A -> B means A names an item of module B (`use crate::b::X`,
`super::b::f()`, ...), and it also stands between their enclosing modules (a file under
`summary/` using `error` makes `summary` use `error`). Edges between a module and its own
ancestors or descendants are left out: a parent declares and re-exports its children, which
is structure, not a cycle; so are unit-test modules. What is left must be acyclic, so that every module can be read
(and tested) after the ones it uses.
Usage: tools/check_import_cycles.py [CRATE_SRC_DIR ...] (default: every crate's src/).
"""
import os
import re
import sys

DEFAULT_ROOTS = ["src", "crates/tfevents/src", "crates/tfevents-cli/src", "crates/tutorials/src"]
PATH_RE = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_RE = re.compile(r"\buse\s+([^;]+);", re.S)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def strip_test_modules(text):
    """Drops `#[cfg(test)] mod x { ... }`: a unit test may use any module to check its own."""
    out, pos = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        pos = i
    out.append(text[pos:])
    return "".join(out)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"]."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, body = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [p for part in parts if part for p in expand_use(prefix + part)]


def module_of(path, root):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)


def resolve(module, ref, modules):
    head, rest = ref.split("::", 1) if "::" in ref else (ref, "")
    names = [n for n in rest.split("::") if n]
    if head == "crate":
        base = ()
    elif head == "self":
        base = module
    else:  # super, possibly repeated
        base = module[:-1]
        while names and names[0] == "super":
            base, names = base[:-1], names[1:]
    target = base
    for name in names:
        if target + (name,) in modules:
            target = target + (name,)
        else:
            break
    return target


def check(root):
    modules = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".rs"):
                path = os.path.join(dirpath, f)
                modules[module_of(path, root)] = path
    edges = {m: set() for m in modules}
    for module, path in modules.items():
        with open(path, encoding="utf-8") as fh:
            text = strip_test_modules(strip_comments(fh.read()))
        refs = []
        for use in USE_RE.findall(text):
            refs += [r for r in expand_use(use) if r.split("::")[0] in ("crate", "super", "self")]
        refs += [m.group(1) + m.group(2) for m in PATH_RE.finditer(text)]
        for ref in refs:
            target = resolve(module, ref, modules)
            related = target[: len(module)] == module or module[: len(target)] == target
            if target in modules and not related:
                # Lift the edge to both subtrees: `error` using `summary::image` while a file
                # under `summary` uses `error` is a cycle between `error` and `summary`.
                for i in range(len(module) + 1):
                    for j in range(len(target) + 1):
                        a, b = module[:i], target[:j]
                        if a in modules and b in modules and a[:len(b)] != b and b[:len(a)] != a:
                            edges[a].add(b)
    return strongly_connected(edges, modules)


def strongly_connected(edges, modules):
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(modules[m] for m in comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    roots = argv or [os.path.join(repo, r) for r in DEFAULT_ROOTS]
    cycles = [c for root in roots if os.path.isdir(root) for c in check(root)]
    for cycle in cycles:
        print("import cycle: " + " <-> ".join(os.path.relpath(p, repo) for p in cycle), file=sys.stderr)
    if cycles:
        print("break each cycle: move what both files need into a module of its own", file=sys.stderr)
        return 1
    print("check_import_cycles: no file-level import cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
