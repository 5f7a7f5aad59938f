#!/usr/bin/env python3
"""Fails when a dependency needs a newer Rust than the crate that uses it declares.

For each workspace member with a `rust-version`, walks its resolved dependency graph (normal and
build dependencies with every feature the workspace enables; dev-dependencies of the member
itself, since its tests must build too) in `cargo metadata`, and compares each package's
`rust_version` with the member's. Usage: tools/check_msrv.py (from anywhere in the workspace).
"""
import json
import subprocess
import sys


def version_key(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    failures = []
    for member in meta["workspace_members"]:
        own = packages[member].get("rust_version")
        if not own:
            continue
        seen, stack = set(), [(member, True)]
        while stack:
            pid, is_member = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            for dep in nodes[pid]["deps"]:
                kinds = {k["kind"] for k in dep["dep_kinds"]}
                if kinds == {"dev"} and not is_member:
                    continue
                stack.append((dep["pkg"], False))
        for pid in seen - {member}:
            need = packages[pid].get("rust_version")
            if need and version_key(need) > version_key(own):
                p = packages[pid]
                failures.append(
                    f"{packages[member]['name']} declares rust-version {own}, "
                    f"but {p['name']} {p['version']} needs {need}"
                )
    for line in sorted(set(failures)):
        print(line, file=sys.stderr)
    if failures:
        print("raise the crate's rust-version, or pin the dependency to an older release",
              file=sys.stderr)
        return 1
    print("check_msrv: every dependency builds on its user's declared rust-version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
