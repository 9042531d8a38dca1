"""Helpers shared by the Python tests: the repository, its samples, the
shared corpora beside the checkout, and the CLI built from the same tree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shared_corpus(name: str) -> Path:
    """A corpus from ``../shared/corpora/``; its absence fails the test."""
    path = ROOT.parent / "shared" / "corpora" / name
    if not path.exists():
        pytest.fail(f"this test needs {path} (the shared corpora beside the checkout)")
    return path


def cli() -> Path:
    """The release CLI of this tree, built when missing."""
    binary = ROOT / "target" / "release" / "copydesk"
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "copydesk"], cwd=ROOT, check=True)
    return binary


def cli_json(*args: str) -> str:
    out = subprocess.run(
        [str(cli()), "scan", "--format", "json", *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout


def jsonl(path: Path) -> List[Dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
