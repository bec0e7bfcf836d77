"""The DuckDB connection the linkage runs in: bounded memory, spill to disk, no network."""

# ruff: noqa: S608 - SQL here is assembled from the model's own column names and table names,
# never from input data.

from __future__ import annotations

import os
import re
import tempfile

import duckdb
import pyarrow as pa
from splink import DuckDBAPI
from splink.internals.splink_dataframe import SplinkDataFrame

# Bounded so a county run leaves room for the web server and the database on one machine;
# DuckDB spills to a temporary directory beyond it.
DEFAULT_MEMORY_LIMIT = os.environ.get("SIGHTLINE_LINKAGE_MEMORY_LIMIT", "5GB")
DEFAULT_THREADS = int(os.environ.get("SIGHTLINE_LINKAGE_THREADS", str(os.cpu_count() or 2)))
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def new_db_api(
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
) -> DuckDBAPI:
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit or DEFAULT_MEMORY_LIMIT}'")
    con.execute(f"SET threads = {int(threads or DEFAULT_THREADS)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"SET temp_directory = '{temp_directory or tempfile.gettempdir()}/sightline-duckdb'"
    )
    # No files, no extensions, no network: everything arrives as Arrow tables.
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    return DuckDBAPI(connection=con)


def register(db_api: DuckDBAPI, table: pa.Table, name: str) -> SplinkDataFrame:
    """Copy an Arrow table into a DuckDB table called `name` and register it with Splink, so
    the Python-side table can be freed."""
    if not _NAME.match(name):
        raise ValueError(f"bad table name {name!r}")
    con = db_api.duckdb_con
    view = f"__arrow_{name}"
    con.register(view, table)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
    con.unregister(view)
    return db_api.register(name, table_name=f"{name}_sdf")
