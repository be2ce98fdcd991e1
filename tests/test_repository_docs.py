"""The repository is self-contained: every document a file mentions is in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_SUFFIXES = {".py", ".sql", ".md", ".toml", ".yaml", ".yml", ".cfg", ".txt", ""}
MENTION = re.compile(r"(?<![\w/.-])((?:\.\./|[\w-]+/)*[\w-]+\.md)\b")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [ROOT / name for name in listed if Path(name).suffix in TEXT_SUFFIXES]


def test_no_file_points_to_a_document_outside_the_repository() -> None:
    documents = {path.name for path in ROOT.rglob("*.md") if ".venv" not in path.parts}
    dangling = []
    for path in tracked_text_files():
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for mention in MENTION.findall(text):
            if mention.startswith("../") or Path(mention).name not in documents:
                dangling.append(f"{path.relative_to(ROOT)}: {mention}")
    assert dangling == []


def test_the_maintainer_docs_exist_and_are_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("architecture.md", "protocol.md", "operations.md"):
        assert (ROOT / "docs" / name).is_file()
        assert f"docs/{name}" in readme
