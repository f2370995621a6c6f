"""The dataset catalog: YAML entries in catalogs/, validated by typed models."""

from hub.catalog.loader import load_all, load_dataset, load_file
from hub.catalog.models import Dataset

__all__ = ["Dataset", "load_all", "load_dataset", "load_file"]
