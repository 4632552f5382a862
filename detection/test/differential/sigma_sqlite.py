#!/usr/bin/env python3
"""Oracle for detection/test/differential.test.ts: convert Sigma rules with pySigma's SQLite backend and run the
SQL on the same (flattened) events in an in-memory SQLite table.

    python3 sigma_sqlite.py RULES.txt EVENTS.jsonl > result.json

RULES.txt: one rule file path per line. EVENTS.jsonl: one flat JSON object per line (scalar values only).
Output (JSON): {"versions": {...}, "matches": {rule_id: [event index, ...]}, "unconvertible": {rule_id: reason},
"sqlErrors": {rule_id: reason}}. Event indices are 0-based line numbers of EVENTS.jsonl.

Table layout (see the backend's README): one row per event, rowid = index + 1, one column per field name (no
declared type, so values keep their JSON type: integers stay integers), missing fields NULL; keyword (fieldless)
values search the column `fulltext`, here every scalar value of the event joined with newlines. REGEXP is
registered as the README says (false for NULL). Strings compare with `collate_nocase` (ASCII case folding).
"""
import json
import re
import sqlite3
import sys
from importlib.metadata import version

from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection

FULLTEXT = "fulltext"


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def main():
    rules_file, events_file = sys.argv[1], sys.argv[2]
    with open(rules_file, encoding="utf-8") as f:
        rule_paths = [line.strip() for line in f if line.strip()]
    with open(events_file, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]

    db = sqlite3.connect(":memory:")
    db.create_function("regexp", 2, lambda p, v: v is not None and re.search(p, str(v)) is not None, deterministic=True)
    # SQLite column names are case-insensitive: the first spelling of a name wins, the others are dropped
    # (reported under "droppedColumns"; the TS side flattens identically and compares only the kept ones).
    columns, dropped = {}, set()
    for ev in events:
        for k in ev:
            low = k.lower()
            if low == FULLTEXT or low == "rowid":
                dropped.add(k)
            elif low not in columns:
                columns[low] = k
            elif columns[low] != k:
                dropped.add(k)
    names = list(columns.values())
    db.execute(f"CREATE TABLE logs ({', '.join(quote(n) for n in names + [FULLTEXT])})")
    for i, ev in enumerate(events):
        text = "\n".join(str(v).lower() if isinstance(v, bool) else str(v) for v in ev.values() if v is not None)
        row = [ev.get(n) for n in names] + [text]
        db.execute(f"INSERT INTO logs (rowid, {', '.join(quote(n) for n in names + [FULLTEXT])}) VALUES ({', '.join('?' * (len(names) + 2))})", [i + 1, *row])

    backend = sqliteBackend(collect_errors=True, collate_nocase=True, fulltext_field=FULLTEXT)
    matches, unconvertible, sql_errors = {}, {}, {}
    for path in rule_paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            coll = SigmaCollection.from_yaml(text, collect_errors=True)
        except Exception as e:  # noqa: BLE001 - anything pySigma cannot read is reported, not fatal
            unconvertible[path] = f"parse: {e}"
            continue
        for rule in coll.rules:
            rid = str(rule.id) if getattr(rule, "id", None) else path
            if rule.errors:
                unconvertible[rid] = "; ".join(str(e) for e in rule.errors)
                continue
            backend.errors = []
            try:
                queries = backend.convert(SigmaCollection([rule]))
            except Exception as e:  # noqa: BLE001
                unconvertible[rid] = f"convert: {e}"
                continue
            if backend.errors:
                unconvertible[rid] = "; ".join(str(e) for _, e in backend.errors)
                continue
            hit = set()
            try:
                for q in queries:
                    q = q.replace("SELECT * FROM logs", "SELECT rowid FROM logs", 1)
                    while True:
                        try:
                            hit.update(r[0] - 1 for r in db.execute(q))
                            break
                        except sqlite3.OperationalError as e:
                            m = re.match(r"no such column: (.+)$", str(e))
                            if not m:
                                raise
                            # a field no event has: every row has it as NULL (the README's "unknown columns")
                            db.execute(f"ALTER TABLE logs ADD COLUMN {quote(m.group(1).strip('`'))}")
            except Exception as e:  # noqa: BLE001
                sql_errors[rid] = str(e)
                continue
            matches[rid] = sorted(hit)
    print(json.dumps({
        "versions": {"pysigma": version("pysigma"), "pysigma-backend-sqlite": version("pysigma-backend-sqlite"), "sqlite": sqlite3.sqlite_version},
        "droppedColumns": sorted(dropped),
        "matches": matches,
        "unconvertible": unconvertible,
        "sqlErrors": sql_errors,
    }))


if __name__ == "__main__":
    main()
