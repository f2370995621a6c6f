"""The analyst notebooks run top to bottom against real published data (their cells assert their findings)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from hub.samples import generate
from ingest.reference.boundaries import load_boundaries
from ingest.core.run import Options, run_ingest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def published(hub_db, tmp_path_factory):
    """The Cần Thơ sample, published."""
    out = tmp_path_factory.mktemp("nb-samples")
    generate(out)
    load_boundaries([out / "admin" / "communes_old.gpkg", out / "admin" / "communes_new.gpkg"])
    run_ingest("cadastre_cantho", [out / "cantho"], Options(force=True))
    return hub_db


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(published, path, tmp_path):
    """Execute every cell; a failing assertion inside the notebook fails the test."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env={**os.environ})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("parcels;" in "".join(o.get("text", "")) for o in outputs)
