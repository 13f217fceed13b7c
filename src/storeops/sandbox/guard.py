"""In-kernel tamper guard: undo and report monkeypatching before every test cell.

Before the first cell, the kernel snapshots ``builtins``, the protected modules
(the hidden tests' helpers, ``STOREOPS_PROTECTED_MODULES``) with their classes,
and IPython's error display (custom exception handlers, shell methods). Before each test cell, anything
the student's code replaced is put back and named, so a student who patched
``storeops.grading.keys.grade``, ``builtins.len``, a checker class's method or
IPython's exception display gets graded by the real tests and is listed in the
report as tampering.

This defeats casual cheating (an honest-but-curious student who tries a
monkeypatch), not a hostile one: the guard runs inside the same interpreter as
the student's code, which can find and disable it. See grader/README.md.
"""

from __future__ import annotations

import os

DEFAULT_PROTECTED = (
    "storeops.grading.keys",
    "storeops.grading.source",
    "storeops.grading.wire",
    "storeops.checks",
    "storeops.checks.core",
    "storeops.checks.kinds",
)
PROTECTED_ENV = "STOREOPS_PROTECTED_MODULES"
GUARD_NAME = "__storeops_guard__"

INIT = r"""
def __storeops_guard_init(names):
    import builtins, importlib, json, sys, types
    ip = get_ipython()
    missing = object()

    def same(a, b):
        if a is b:
            return True
        try:
            return type(a) is type(b) and bool(a == b)
        except Exception:
            return False

    def take(mod):
        classes = {}
        for key, value in list(vars(mod).items()):
            if isinstance(value, type) and getattr(value, "__module__", None) == mod.__name__:
                classes[key] = (value, dict(vars(value)))
        return mod, dict(vars(mod)), classes

    snap = {"builtins": (builtins, dict(vars(builtins)), {})}
    for name in names:
        try:
            snap[name] = take(importlib.import_module(name))
        except Exception:
            pass
    ip_methods = {k for k in dir(type(ip)) if callable(getattr(type(ip), k, None))}
    ip_saved = {k: v for k, v in vars(ip).items() if k in ip_methods}

    def check():
        changed = []
        for name, (mod, saved, classes) in snap.items():
            if name != "builtins" and sys.modules.get(name) is not mod:
                changed.append(f"sys.modules[{name!r}]")
                sys.modules[name] = mod
            current = vars(mod)
            for key, value in saved.items():
                if not same(current.get(key, missing), value):
                    changed.append(f"{name}.{key}")
                    setattr(mod, key, value)
            for cname, (cls, cdict) in classes.items():
                now = vars(cls)
                for key, value in cdict.items():
                    if key == "__dict__" or key == "__weakref__":
                        continue
                    if not same(now.get(key, missing), value):
                        changed.append(f"{name}.{cname}.{key}")
                        try:
                            setattr(cls, key, value)
                        except Exception:
                            pass
                for key in [k for k in now if k not in cdict]:
                    changed.append(f"{name}.{cname}.{key} (added)")
                    try:
                        delattr(cls, key)
                    except Exception:
                        pass
        if ip.custom_exceptions:
            changed.append("IPython custom exception handler (set_custom_exc)")
            ip.set_custom_exc((), None)
        for key in [k for k in vars(ip) if k in ip_methods]:
            if key not in ip_saved:
                changed.append(f"IPython shell method {key}")
                delattr(ip, key)
            elif not same(vars(ip)[key], ip_saved[key]):
                changed.append(f"IPython shell method {key}")
                setattr(ip, key, ip_saved[key])
        guard.last = json.dumps(changed)
        return changed

    guard = types.SimpleNamespace(check=check, last="[]")
    sys.modules[__GUARD__] = guard

__storeops_guard_init(__NAMES__)
del __storeops_guard_init
"""

CHECK = f"__import__('sys').modules[{GUARD_NAME!r}].check()"
RESULT = f"__import__('sys').modules[{GUARD_NAME!r}].last"


def protected_modules() -> list[str]:
    raw = os.environ.get(PROTECTED_ENV)
    if raw is None:
        return list(DEFAULT_PROTECTED)
    return [m.strip() for m in raw.split(",") if m.strip()]


def init_code(names: list[str] | None = None) -> str:
    names = protected_modules() if names is None else names
    return INIT.replace("__GUARD__", repr(GUARD_NAME)).replace("__NAMES__", repr(list(names)))
