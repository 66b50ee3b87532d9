"""The built-in process definitions (S1–S4, SPEC §17) and the demo organisation (§19).

The files ship inside the package and are read with importlib.resources, so they work from
a wheel as well as from a source tree.
"""

from __future__ import annotations

from importlib import resources

from oaflow.domain.errors import NotFoundError
from oaflow.domain.org import Organisation
from oaflow.domain.orgfile import parse_org_yaml

#: built-in process keys, in scenario order (S1, S2, S3, S4)
BUILTIN_KEYS = ("new-product-launch", "customer-complaint", "annual-budget", "project-milestones")
DEMO_ORG_FILE = "demo_org.yaml"


def builtin_keys() -> tuple[str, ...]:
    return BUILTIN_KEYS


def builtin_source(key: str) -> tuple[str, str]:
    """The YAML text of a built-in process and its file name (for problem reports)."""
    if key not in BUILTIN_KEYS:
        raise NotFoundError(
            "definition.builtin.unknown", key=repr(key), keys=", ".join(BUILTIN_KEYS)
        )
    file = f"{key}.yaml"
    return _read(file), file


def demo_org_source() -> str:
    """The YAML text of the demo organisation (docs/organisation.md describes the format)."""
    return _read(DEMO_ORG_FILE)


def demo_organisation() -> Organisation:
    return parse_org_yaml(demo_org_source(), DEMO_ORG_FILE)


def _read(file: str) -> str:
    return resources.files(__name__).joinpath(file).read_text(encoding="utf-8")
