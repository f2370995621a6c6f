"""The catalog: typed entries, templates, clear errors, committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from hub.catalog.loader import CATALOG_DIR, SCHEMA_FILE, json_schema, load_all, load_file
from hub.cli.main import cli
from hub.errors import CatalogError


def test_entries_load_and_declare_privacy():
    """Every entry loads; owner columns of cadastral entries are personal; every dataset has public columns."""
    datasets = load_all()
    assert {"cadastre_cantho", "cadastre_tuyenquang"} <= set(datasets)
    for ds in datasets.values():
        if ds.family == "cadastre":
            assert ds.column("owner_name").sensitivity == "personal"
        assert ds.by_sensitivity("public")
        assert ds.title.vi != ds.title.en


def _write(tmp_path: Path, name: str, mutate) -> Path:
    """A copy of a real entry with one change, written as YAML."""
    data = yaml.safe_load((CATALOG_DIR / "cadastre_cantho.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("mutate,key,why", [
    (lambda d: d["publication"].update(collection="Bad Name!"), "publication.collection", "pattern"),
    (lambda d: d.update(licence=None), "licence", "string"),
    (lambda d: d.update(validation={"no_such_rule": {"severity": "error"}}), "validation", "unknown rule"),
    (lambda d: d.update(columns=[{"name": "owner_name", "type": "text", "sensitivity": "secret"}]),
     "columns[owner_name].sensitivity", "public"),
    (lambda d: d.update(key=["owner_name"]), "", "cannot be personal"),
])
def test_invalid_entry_names_file_key_and_why(tmp_path, mutate, key, why):
    """An invalid entry fails with the file, the key and the reason."""
    path = _write(tmp_path, "cadastre_cantho", mutate)
    with pytest.raises(CatalogError) as err:
        load_file(path)
    msg = err.value.user_message()
    assert str(path) in msg and key in msg and why in msg


def test_validate_cli_rejects_broken_entry(tmp_path):
    """`hub catalog validate` exits with the catalog error code and a one-line reason."""
    path = _write(tmp_path, "cadastre_cantho", lambda d: d["title"].pop("en"))
    result = CliRunner().invoke(cli, ["catalog", "validate", str(path)])
    assert result.exit_code == 3
    assert "title.en" in result.output and "Field required" in result.output
    assert "Traceback" not in result.output


def test_non_nfc_title_rejected(tmp_path):
    """Metadata text must be NFC."""
    path = _write(tmp_path, "cadastre_cantho", lambda d: d["title"].update(vi="Thu\u0309a đất"))
    with pytest.raises(CatalogError, match="NFC"):
        load_file(path)


def test_committed_json_schema_is_current_and_validates_entries():
    """The committed schema equals the models' and accepts every resolved entry."""
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema()))
    for ds in load_all().values():
        jsonschema.validate(ds.model_dump(mode="json", exclude_none=True), committed)


def test_broken_yaml_names_the_file_and_line(tmp_path):
    """A catalog file that is not YAML: the error names the file and the line (libyaml's loader keeps marks)."""
    path = tmp_path / "broken.yaml"
    path.write_text("id: cadastre_x\ntitle: {vi: 'Thửa đất'\nsource: []\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_file(path)
    assert str(path) in err.value.user_message() and ":line " in err.value.user_message()
