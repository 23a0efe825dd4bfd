"""Which packages a wheel holds, beside pyproject.toml (which has everything else).

Every package and subpackage of alliance_desk, db, ui and cli is found, so a new one needs no edit
here. resources/ (rule packs, schema, fonts) sits beside the packages in a checkout; a wheel carries
it inside the alliance_desk package as alliance_desk/resources, where alliance_desk.paths finds it
when there is no checkout. pyproject.toml cannot map a folder into a package with `find`, hence this.
"""
from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = ["alliance_desk." + name for name in find_namespace_packages(include=["resources", "resources.*"])]

setup(
    packages=find_packages(include=["alliance_desk*", "db*", "ui*", "cli*"]) + RESOURCES,
    package_dir={"alliance_desk.resources": "resources"},
    package_data={name: ["*"] for name in RESOURCES},
)
