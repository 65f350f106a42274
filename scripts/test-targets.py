#!/usr/bin/env python3
"""Prints `--test NAME` for every integration test of the given packages,
leaving out the names after `--without`:

    scripts/test-targets.py ecard-e2e
    scripts/test-targets.py ecard-core ecard-e2e --without platform_contract

scripts/test selects suites this way under `cargo test --workspace`, so they
reuse the workspace build (a `-p` selection unifies features differently
and compiles the dependencies again).
"""
import json
import subprocess
import sys


def main(arguments):
    if "--without" in arguments:
        split = arguments.index("--without")
        packages, without = arguments[:split], set(arguments[split + 1 :])
    else:
        packages, without = arguments, set()
    if not packages:
        sys.exit("usage: test-targets.py PACKAGE... [--without TEST...]")
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    found = {package["name"]: package for package in metadata["packages"]}
    missing = [name for name in packages if name not in found]
    if missing:
        sys.exit(f"no package named {', '.join(missing)}")
    tests = [
        target["name"]
        for name in packages
        for target in found[name]["targets"]
        if "test" in target["kind"]
    ]
    unknown = without.difference(tests)
    if unknown:
        sys.exit(f"no test named {', '.join(sorted(unknown))}")
    print(" ".join(f"--test {name}" for name in tests if name not in without))


if __name__ == "__main__":
    main(sys.argv[1:])
