"""Checks on built wheels, run by ./dev (no server needed).

check_wheels.py same-files A.whl B.whl   the two wheels hold the same files
check_wheels.py release WHEEL...         manylinux-clean, no libcrypto, only
                                         PyInit exported, licences inside
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def _names(wheel: Path) -> set[str]:
    """File names with the version-specific parts made comparable: the
    extension's ABI suffix and the dist-info folder's name."""
    names = set()
    for name in zipfile.ZipFile(wheel).namelist():
        name = re.sub(r"_s3conn\..*\.so$", "_s3conn.<abi>.so", name)
        names.add(re.sub(r"^[^/]+\.dist-info/", "<dist-info>/", name))
    return names


def same_files(a: Path, b: Path) -> list[str]:
    only_a, only_b = _names(a) - _names(b), _names(b) - _names(a)
    problems = [f"only in {a.name}: {n}" for n in sorted(only_a)]
    problems += [f"only in {b.name}: {n}" for n in sorted(only_b)]
    if not problems:
        print(f"{a.name} and {b.name} hold the same {len(_names(a))} files")
    return problems


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def release(wheel: Path) -> list[str]:
    problems = []
    shown = " ".join(_run("auditwheel", "show", str(wheel)).split())
    tag = re.search(r'platform tag: "(manylinux_\d+_\d+_\w+)"', shown)
    if tag is None or tag.group(1) not in wheel.name:
        problems.append(f"{wheel.name}: auditwheel reports {shown!r}")
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(wheel).extractall(tmp)
        (module,) = Path(tmp, "s3torchconnector").glob("_s3conn*.so")
        linked = _run("ldd", str(module))
        for library in ("libcrypto", "libssl", "libstdc++"):
            if library in linked:
                problems.append(f"{wheel.name}: the module links {library}:\n{linked}")
        exported = _run("nm", "-D", "--defined-only", str(module)).split()[2::3]
        if exported != ["PyInit__s3conn"]:
            problems.append(f"{wheel.name}: exports {exported[:10]} ... ({len(exported)} symbols)")
        licenses = {
            p.relative_to(tmp).as_posix().split("/", 1)[1]
            for p in Path(tmp).glob("*.dist-info/licenses/**/*")
            if p.is_file()
        }
        for needed in (
            "licenses/LICENSE",
            "licenses/crt/aws-lc/LICENSE",
            "licenses/crt/s2n/LICENSE",
            "licenses/crt/aws-c-s3/LICENSE",
        ):
            if needed not in licenses:
                problems.append(f"{wheel.name}: no {needed} (has {sorted(licenses)})")
    if not problems:
        print(
            f"{wheel.name}: {tag.group(1) if tag else '?'}, links {module_libraries(linked)}, "
            f"exports PyInit__s3conn only, {len(licenses)} licence files"
        )
    return problems


def module_libraries(ldd_output: str) -> str:
    return ", ".join(line.split()[0] for line in ldd_output.splitlines() if "=>" in line)


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "same-files":
        problems = same_files(Path(argv[1]), Path(argv[2]))
    elif len(argv) >= 2 and argv[0] == "release":
        problems = [p for wheel in argv[1:] for p in release(Path(wheel))]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
