"""The framework-free core: plain dataclasses and pure functions, no Django and no I/O."""
