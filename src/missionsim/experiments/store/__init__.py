"""The results store: Parquet chunks written atomically, a manifest, a lock, and resumption.

Layout of an output folder::

    OUT/manifest.json               what the study is: scenarios and their hashes, design,
                                    root seed, every planned run and its seed, package version
    OUT/.lock                       held by the study writing here (its process, host and start)
    OUT/chunks/000001.runs.parquet    one row per run
    OUT/chunks/000001.places.parquet  one row per place at the deadline and at the end
    OUT/chunks/000001.months.parquet  one row per run × month (written last: the commit mark)
    OUT/corrupt/                    unreadable chunks set aside by :meth:`Store.repair`

The modules, one concern each:

- :mod:`~missionsim.experiments.store.store`: the :class:`Store` of one folder (open, write
  chunks, read, resume);
- :mod:`~missionsim.experiments.store.schema`: the fixed Arrow schema of every table
  (:data:`DECLARED`, :func:`table_schema`, :func:`to_arrow`), so a table's chunks read as one
  dataset (pandas, pyarrow, DuckDB);
- :mod:`~missionsim.experiments.store.files`: the one atomic writer (:func:`write_atomic`) and
  the modes of the files it writes (:func:`umask`);
- :mod:`~missionsim.experiments.store.lock`: one writer per folder (:func:`fcntl.flock` on
  ``OUT/.lock``; a second writer is refused at once with one line naming the holder);
- :mod:`~missionsim.experiments.store.repair`: runs stored twice, unreadable chunks, and what
  differs from a new study (:func:`difference`);
- :mod:`~missionsim.experiments.store.messages`: the one-line messages.

Problems are :class:`~missionsim.errors.StoreError` with a one-line message naming the folder
or file: a file system that refuses a write (full, read-only, no permission) while opening the
store or writing a chunk or the manifest (the runs stored before are kept), a chunk file that
is missing or unreadable (:meth:`Store.repair` sets such chunks aside), a folder that holds a
different study (the message names what differs). A store holding runs twice is refused by
:meth:`Store.check_unique` when read. Read back with :func:`pandas.read_parquet`, a bool column
gives ``bool`` in a file without nulls and ``object`` (``True``, ``False``, ``None``) in one with
nulls.
"""

from missionsim.errors import StoreError
from missionsim.experiments.store.files import FILE_MODE, umask, write_atomic
from missionsim.experiments.store.lock import LOCK
from missionsim.experiments.store.repair import CORRUPT, Repair, difference
from missionsim.experiments.store.schema import (
    DECLARED,
    FACTOR_PREFIX,
    TABLES,
    column_field,
    table_schema,
    to_arrow,
)
from missionsim.experiments.store.store import MANIFEST, Store

__all__ = ["CORRUPT", "DECLARED", "FACTOR_PREFIX", "FILE_MODE", "LOCK", "MANIFEST", "TABLES",
           "Repair", "Store", "StoreError", "column_field", "difference", "table_schema",
           "to_arrow", "umask", "write_atomic"]
