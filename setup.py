"""Build hook: compile the translation catalogues (.po → .mo) into the wheel, as indico's build does.
The .mo files are build products, never committed. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self):
        from babel.messages.mofile import write_mo  # noqa: PLC0415 - a build requirement, present only when building
        from babel.messages.pofile import read_po  # noqa: PLC0415

        for po in Path("cnht/translations").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
