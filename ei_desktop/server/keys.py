"""The API key ``serve`` requires: where it comes from and what makes it acceptable."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

#: the environment variable a key may come from (unlike the command line, other users of the
#: machine cannot read a process's environment)
API_KEY_ENV = "EI_SERVE_API_KEY"
MIN_LENGTH = 16
MAX_LENGTH = 256
#: characters every HTTP client can send in a header unchanged (base64 and URL-safe tokens)
_SAFE = re.compile(r"[A-Za-z0-9._~+/=-]+")


class KeyProblem(Exception):
    """A given API key that cannot be used; the message says why, in one line."""


def check_api_key(key: str, where: str = "The API key") -> str:
    """``key`` if clients can send it and it is hard enough to guess.

    Raises:
        KeyProblem: empty, surrounded by whitespace, too short or long, or with characters
            outside letters, digits and ``. _ ~ + / = -``.
    """
    if key != key.strip():
        raise KeyProblem(
            f"{where} starts or ends with a space or line break, which no client can send;"
            " remove it"
        )
    if len(key) < MIN_LENGTH:
        raise KeyProblem(
            f"{where} is too short ({len(key)} characters): use at least {MIN_LENGTH},"
            " or leave it out to use the project's own generated key"
        )
    if len(key) > MAX_LENGTH:
        raise KeyProblem(f"{where} is too long ({len(key)} characters; at most {MAX_LENGTH})")
    if not _SAFE.fullmatch(key):
        raise KeyProblem(
            f"{where} may hold only letters, digits and . _ ~ + / = - (no spaces or other symbols)"
        )
    return key


def given_api_key(
    api_key: Optional[str],
    api_key_file: Optional[str | os.PathLike] = None,
    environ: Optional[Mapping[str, str]] = None,
) -> tuple[Optional[str], str]:
    """The key the operator gave, checked, and where it came from: ``--api-key``, else
    ``--api-key-file`` (one line; its line ending is dropped), else ``$EI_SERVE_API_KEY``.
    ``(None, "")`` when none was given.

    Raises:
        KeyProblem: the key is unusable or the file cannot be read.
    """
    environ = os.environ if environ is None else environ
    if api_key is not None:
        return check_api_key(api_key, "The key given with --api-key"), "given"
    if api_key_file is not None:
        path = Path(api_key_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise KeyProblem(f"Cannot read the key file {path}: {reason}") from None
        if text.endswith("\n"):
            text = text[:-1].removesuffix("\r")
        return check_api_key(text, f"The key in {path}"), f"from {path}"
    value = environ.get(API_KEY_ENV)
    if value:
        return check_api_key(value, f"The key in ${API_KEY_ENV}"), f"from ${API_KEY_ENV}"
    return None, ""
