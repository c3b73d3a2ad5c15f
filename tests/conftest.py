"""Shared fixtures: the demo bundle, as a dict each test may change freely."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = ROOT / "demo" / "comparisons.json"
SEED = "heygen-avatar-sdk-v3-vs-mistral-4b-edge"
HEYGEN, MISTRAL = "heygen-avatar-sdk-v3", "mistral-4b-edge"

_demo = json.loads(DEMO_BUNDLE.read_text())


@pytest.fixture
def bundle_data() -> dict:
    return copy.deepcopy(_demo)
