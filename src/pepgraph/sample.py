"""A small built-in sample, written by pepgraph itself: invented people, deterministic output.

It stands in for ``../shared/data`` on a fresh clone (``pepgraph demo`` uses it when the real data
is absent) and gives tests a multi-source, multi-script population to work on: a registry of
office holders, a sanctions list and a press source that describe some of the same invented people
in other scripts, romanisations and name orders. Every person here is fictional.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Entity = dict[str, Any]


def _e(id: str, schema: str, **props: Any) -> Entity:
    return {
        "id": id,
        "schema": schema,
        "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()},
    }


def _post(id: str, name: str, country: str, **props: Any) -> Entity:
    return _e(id, "Position", name=name, country=country, **props)


def _term(id: str, holder: str, post: str, start: str, end: str | None = None) -> Entity:
    props: dict[str, Any] = {"holder": holder, "post": post, "startDate": start}
    if end:
        props["endDate"] = end
    props["status"] = "ended" if end else "current"
    return _e(id, "Occupancy", **props)


REGISTRY: list[Entity] = [
    _e("reg-p1", "Person", name=["Ivan Petrovich Sidorenko", "Иван Петрович Сидоренко"],
       firstName="Ivan", fatherName="Petrovich", lastName="Sidorenko", birthDate="1961-03-14",
       gender="male", nationality="ru", country="ru"),
    _e("reg-p2", "Person", name=["Elena Sidorenko", "Елена Викторовна Сидоренко"],
       birthDate="1965-07-02", gender="female", country="ru"),
    _e("reg-p3", "Person", name=["Wang Jianguo", "王建国"], firstName="Jianguo", lastName="Wang",
       birthDate="1958", gender="male", nationality="cn"),
    _e("reg-p4", "Person", name="María Fernández López", firstName="María",
       lastName="Fernández López", birthDate="1972-11-30", gender="female", nationality="es"),
    _e("reg-p5", "Person", name="John Quincy Smithers", firstName="John", middleName="Quincy",
       lastName="Smithers", birthDate="1950-01-20", gender="male", nationality="us"),
    _e("reg-p6", "Person", name="Robert Smithers", birthDate="1979-05-05", gender="male", nationality="us"),
    _e("reg-p7", "Person", name=["Nino Beridze", "ნინო ბერიძე"], birthDate="1980-09-09",
       gender="female", nationality="ge"),
    _post("reg-pos1", "Deputy Minister of Transport", "ru", topics="gov.executive"),
    _post("reg-pos2", "Governor of an invented province", "cn", topics="gov.state"),
    _post("reg-pos3", "Member of the Congress of Deputies", "es", topics="gov.legislative"),
    _post("reg-pos4", "Senator for an invented state", "us", topics="gov.legislative"),
    _post("reg-pos5", "Judge of the Supreme Court", "ge", topics="gov.judicial"),
    _term("reg-o1", "reg-p1", "reg-pos1", "2012-05-21"),
    _term("reg-o2", "reg-p3", "reg-pos2", "2008-01-01", "2016-12-31"),
    _term("reg-o3", "reg-p4", "reg-pos3", "2019-05-21"),
    _term("reg-o4", "reg-p5", "reg-pos4", "1997-01-03", "2015-01-03"),
    _term("reg-o5", "reg-p7", "reg-pos5", "2020-03-01"),
    _e("reg-f1", "Family", person="reg-p1", relative="reg-p2", relationship="spouse"),
    _e("reg-f2", "Family", person="reg-p5", relative="reg-p6", relationship="son"),
]

SANCTIONS: list[Entity] = [
    _e("san-1", "Person", name=["Ahmad Karimi", "أحمد كريمي"], alias="Ahmed Kareemi",
       birthDate=["1970", "1971"], nationality="ir", topics="sanction"),
    _e("san-1-s", "Sanction", entity="san-1", authority="Invented Sanctions Authority",
       program="SAMPLE-PROGRAM", listingDate="2019-04-01"),
    _e("san-2", "Organization", name="Northwind Trading LLC", alias="Northwind Trade",
       country="ae", topics="sanction"),
    _e("san-2-s", "Sanction", entity="san-2", authority="Invented Sanctions Authority",
       program="SAMPLE-PROGRAM", listingDate="2021-10-15"),
    _e("san-3", "Person", name=["SIDORENKO, Ivan", "Ivan Sidorenko"], birthDate="1961-03-14",
       nationality="ru", topics="sanction"),
    _e("san-3-s", "Sanction", entity="san-3", authority="Invented Sanctions Authority",
       program="SAMPLE-PROGRAM", listingDate="2022-03-01"),
    _e("san-own", "Ownership", owner="san-1", asset="san-2", role="beneficial owner"),
]

PRESS: list[Entity] = [
    _e("press-1", "Person", name="Jianguo WANG", birthDate="1958-04", nationality="cn"),
    _e("press-2", "Person", name=["Maria Fernandez", "M. Fernández López"], nationality="es"),
    _e("press-3", "Person", name="Ahmed Karimi", nationality="ir", birthDate="1970"),
    _e("press-4", "Person", name="Nino Beridze", nationality="ge", birthDate="1991-02-02",
       notes="A different person who shares a name with a judge."),
]

FILES: dict[str, list[Entity]] = {
    "sample-registry.ftm.json": REGISTRY,
    "sample-sanctions.ftm.json": SANCTIONS,
    "sample-press.ftm.json": PRESS,
}

#: dataset name -> (file, title)
DATASETS: dict[str, tuple[str, str]] = {
    "sample_registry": ("sample-registry.ftm.json", "Sample registry of office holders (invented)"),
    "sample_sanctions": ("sample-sanctions.ftm.json", "Sample sanctions list (invented)"),
    "sample_press": ("sample-press.ftm.json", "Sample press mentions (invented)"),
}


def write_sample(out_dir: str | Path) -> list[Path]:
    """Write the sample files (FtM JSON lines) into ``out_dir``; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, entities in FILES.items():
        path = folder / name
        with open(path, "w", encoding="utf-8") as fh:
            for entity in entities:
                fh.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
        paths.append(path)
    return paths
