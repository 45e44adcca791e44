#!/usr/bin/env python3
"""Copies a benchmark data set from its SQLite file into a PostgreSQL database that
`kvalitet migrate` has just created, so that the web benchmark can serve the same data
from both backends. Generating the data into PostgreSQL through the store (one audited
statement per row) takes far longer than this copy.

    bench/web/to_postgres.py SQLITE_FILE PSQL_CONNINFO

Every table of the PostgreSQL schema that the SQLite file also holds is emptied and
filled with the SQLite rows, column by column, with the triggers off (the rows are a copy:
the counters the triggers keep and the append-only rules already hold in them); SQLite's
own tables (its full-text indexes) are left out, PostgreSQL searches its rows directly.
The identity sequences then continue after the highest id, and the tables are analysed.
Uses psql (the PostgreSQL client), no Python driver.
"""

import os
import sqlite3
import subprocess
import sys
import tempfile


def psql(conninfo, *args, stdin=None):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", conninfo, *args],
        input=stdin, check=True, capture_output=True, text=True,
    ).stdout


def field(value, binary):
    """A CSV field for PostgreSQL's COPY: NULL unquoted and empty, text always quoted (so
    an empty string stays one), bytes as bytea's hex text."""
    if value is None:
        return ""
    if binary:
        return "\\x" + bytes(value).hex()
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def main():
    source, conninfo = sys.argv[1], sys.argv[2]
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    lite_tables = {r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {}
    for line in psql(conninfo, "-c",
                     "SELECT table_name, column_name, data_type FROM information_schema.columns "
                     "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position").splitlines():
        table, column, kind = line.split("|")
        columns.setdefault(table, []).append((column, kind))
    tables = sorted(t for t in columns if t in lite_tables and not t.startswith("_sqlx"))
    script = ["SET session_replication_role = replica;",
              "TRUNCATE " + ", ".join(tables) + ";"]
    with tempfile.TemporaryDirectory() as tmp:
        rows = 0
        for table in tables:
            cols = [c for c, _ in columns[table]]
            lite_cols = {r[1] for r in lite.execute(f"PRAGMA table_info({table})")}
            missing = [c for c in cols if c not in lite_cols]
            if missing:
                sys.exit(f"{table}: columns {missing} are not in {source}")
            binary = [kind == "bytea" for _, kind in columns[table]]
            path = os.path.join(tmp, f"{table}.csv")
            with open(path, "w", encoding="utf-8") as f:
                for row in lite.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    f.write(",".join(field(v, b) for v, b in zip(row, binary)) + "\n")
                    rows += 1
            script.append(f"\\copy {table} ({', '.join(cols)}) FROM '{path}' WITH (FORMAT csv)")
        script.append("SET session_replication_role = DEFAULT;")
        for table in tables:
            if any(c == "id" for c, _ in columns[table]):
                script.append(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                    f"FROM {table} WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL;"
                )
        script.append("ANALYZE;")
        psql(conninfo, "-f", "-", stdin="\n".join(script) + "\n")
    print(f"copied {rows} rows of {len(tables)} tables into PostgreSQL", file=sys.stderr)


if __name__ == "__main__":
    main()
