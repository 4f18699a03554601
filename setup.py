"""Packaging that pyproject.toml cannot express: the wheel ships the policy pack.

The pack's source stays ``policy_packs/secure_serverless`` at the repository top (the Pulumi CLI runs
it from there); the wheel carries a copy as ``secure_serverless/_pack`` so that an installed
``secure-serverless check`` and ``secure-serverless pack install`` find it (see check/packs.py).
"""

from setuptools import find_namespace_packages, find_packages, setup

PACK_SOURCE = "policy_packs/secure_serverless"
PACK_PACKAGE = "secure_serverless._pack"

setup(
    package_dir={"": "components", PACK_PACKAGE: PACK_SOURCE},
    packages=[
        *find_packages("components"),
        PACK_PACKAGE,
        *(f"{PACK_PACKAGE}.{name}" for name in find_namespace_packages(PACK_SOURCE, exclude=["*__pycache__*"])),
    ],
    package_data={
        "secure_serverless": ["py.typed", "**/*.json"],
        PACK_PACKAGE: ["PulumiPolicy.yaml", "requirements.txt", "**/*.json", "**/*.json.gz", "**/*.yaml", "**/*.txt"],
    },
)
