"""The default measures of kvalitet-measures as SQL in DuckDB, over the same CSV files.

Usage: duckdb_measures.py DIR FROM TO CAPACITY... (CAPACITY as UNIT=PLACES); prints JSON
{measure: {numerator, denominator, value, ...}} for the whole period across all units.
"""

import json
import sys

import duckdb

d, p_from, p_to, *caps = sys.argv[1:]
capacities = dict(c.rsplit("=", 1) for c in caps)
con = duckdb.connect()
con.execute(f"""
CREATE TABLE arenden AS SELECT * FROM read_csv('{d}/arenden.csv', header=true, delim=',',
  types={{'case_id':'VARCHAR','person_id':'VARCHAR','unit':'VARCHAR','target_group':'VARCHAR',
  'aktualisering':'DATE','forhandsbedomning':'DATE','forhandsbedomning_beslut':'VARCHAR',
  'utredning_start':'DATE','utredning_slut':'DATE','forlangning':'DATE'}});
CREATE TABLE insatser AS SELECT * FROM read_csv('{d}/insatser.csv', header=true, delim=',',
  types={{'case_id':'VARCHAR','person_id':'VARCHAR','unit':'VARCHAR','insats':'VARCHAR',
  'beslut':'DATE','verkstallighet':'DATE','start':'DATE','slut':'DATE','planerad_slut':'DATE',
  'genomforandeplan':'DATE','plan_uppfoljning':'DATE'}});
""")
F, T = f"DATE '{p_from}'", f"DATE '{p_to}'"
out = {}


def one(sql):
    return con.execute(sql).fetchone()


def share(measure, within, table, where):
    num, den = one(f"SELECT count(*) FILTER (WHERE {within}), count(*) FROM {table} WHERE {where}")
    out[measure] = {"numerator": num, "denominator": den}


def investigation(group, limit):
    return (f"target_group = '{group}' AND utredning_start IS NOT NULL AND utredning_slut "
            f"BETWEEN {F} AND {T}", limit)


share("forhandsbedomning_14d", "forhandsbedomning - aktualisering <= 14", "arenden",
      f"target_group = 'barn' AND aktualisering IS NOT NULL AND forhandsbedomning BETWEEN {F} AND {T}")
barn = f"target_group = 'barn' AND utredning_start IS NOT NULL AND utredning_slut BETWEEN {F} AND {T}"
vuxen = barn.replace("'barn'", "'vuxen'")
share("barnutredning_4man", "utredning_slut <= utredning_start + INTERVAL 4 MONTH", "arenden", barn)
out["barnutredning_4man"]["over_limit_with_extension"] = one(
    f"SELECT count(*) FROM arenden WHERE {barn} AND utredning_slut > utredning_start + INTERVAL 4 MONTH"
    " AND forlangning IS NOT NULL")[0]
share("barnutredning_90d", "utredning_slut - utredning_start <= 90", "arenden", barn)
share("vuxenutredning_60d", "utredning_slut - utredning_start <= 60", "arenden", vuxen)
share("vuxenutredning_90d", "utredning_slut - utredning_start <= 90", "arenden", vuxen)
n, mean, median = one(f"SELECT count(*), avg(utredning_slut - utredning_start), "
                      f"median(utredning_slut - utredning_start) FROM arenden WHERE {vuxen}")
out["vuxenutredning_dagar"] = {"denominator": n, "value": mean, "median": float(median)}
share("verkstallighet_14d", "verkstallighet - beslut <= 14", "insatser",
      f"beslut IS NOT NULL AND verkstallighet BETWEEN {F} AND {T}")
out["ej_verkstallda_3man"] = {"value": one(
    f"SELECT count(*) FROM insatser WHERE beslut <= {T} - INTERVAL 3 MONTH"
    f" AND (verkstallighet IS NULL OR verkstallighet > {T})")[0]}
share("insatstid_halls", "slut <= planerad_slut", "insatser",
      f"planerad_slut IS NOT NULL AND slut BETWEEN {F} AND {T}")
share("genomforandeplan_uppfoljd_3man",
      f"genomforandeplan <= {T} AND plan_uppfoljning BETWEEN {T} - INTERVAL 3 MONTH AND {T}",
      "insatser", f"start <= {T} AND (slut IS NULL OR slut > {T})")
num, den = one(f"""
  WITH c AS (SELECT case_id, utredning_start s, utredning_slut e FROM arenden
             WHERE utredning_start IS NOT NULL AND utredning_slut BETWEEN {F} AND {T}),
       hit AS (SELECT DISTINCT c.case_id FROM c JOIN insatser i ON i.case_id = c.case_id
               WHERE i.start BETWEEN c.s AND c.e)
  SELECT (SELECT count(*) FROM hit), (SELECT count(*) FROM c)""")
out["insats_under_utredning"] = {"numerator": num, "denominator": den}
groups = con.execute(f"SELECT insats, count(*) FROM insatser WHERE start BETWEEN {F} AND {T} "
                     "GROUP BY insats").fetchall()
out["paborjade_insatser"] = {"value": sum(n for _, n in groups),
                             "groups": {g: n for g, n in groups}}
days = one(f"SELECT {T} - {F} + 1")[0]
occ = {}
for unit, places in capacities.items():
    occupied = one(f"""SELECT coalesce(sum(greatest(0,
        least(coalesce(slut - 1, {T}), {T}) - greatest(start, {F}) + 1)), 0)
        FROM insatser WHERE lower(insats) = lower('{unit}') AND start IS NOT NULL""")[0]
    occ[unit] = {"numerator": int(occupied), "denominator": int(places) * days}
out["belaggning"] = {"numerator": sum(o["numerator"] for o in occ.values()),
                     "denominator": sum(o["denominator"] for o in occ.values()), "units": occ}
json.dump(out, sys.stdout, indent=1)
