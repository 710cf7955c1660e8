"""The risk engine's optional native core (bot/risk/_native.pyx); the rest is pyproject.toml.

Without a C compiler the build goes on without it, and bot.risk runs its Python reference."""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # an install without build isolation and without Cython: no native core
    extensions = []
else:
    extensions = cythonize(
        [Extension("bot.risk._native", ["bot/risk/_native.pyx"], optional=True)],
        compiler_directives={"language_level": 3},
        quiet=True,
    )
    for extension in extensions:  # cythonize makes new Extensions, without `optional`
        extension.optional = True

setup(ext_modules=extensions)
