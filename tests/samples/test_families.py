"""Samples over every registered family: generation by each spec's generator and the demo plan `make demo` loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.catalog.families import FAMILIES, spec
from hub.errors import ConfigError
from hub.samples.families import demo_plan, generate_all


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> tuple[Path, dict]:
    """Every family's samples at a small scale."""
    out = tmp_path_factory.mktemp("family_samples")
    return out, generate_all(out, scale=0.05)


def test_every_family_with_a_generator_writes_its_demo_paths(samples):
    """Each family's demo datasets read paths its own generator wrote, in registry order, cadastre first."""
    out, results = samples
    plan = demo_plan(out)
    expected = [(ds, out / sub) for name in FAMILIES for ds, sub in spec(name).demo]
    assert plan == expected and plan[0][0].startswith("cadastre_")
    assert all(path.exists() for _, path in plan)
    assert set(results) == {name for name in FAMILIES if spec(name).samples}
    assert results["cadastre"]["broken"], "the cadastre manifest lists its broken records"


def test_unknown_family_and_missing_sample_path_are_configuration_errors(tmp_path):
    """A misspelt --family and a demo path nobody generated name what is wrong instead of failing later."""
    with pytest.raises(ConfigError, match="unknown family nope; registered: cadastre\\b"):
        demo_plan(tmp_path, only=("nope",))
    with pytest.raises(ConfigError, match="cadastre_cantho reads .*cantho, which does not exist"):
        demo_plan(tmp_path, only=("cadastre",))
