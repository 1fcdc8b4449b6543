"""JSON that keeps every number exactly, as Sweep does (README, "Numbers are kept exactly").

Python's `json` keeps integers of any size but reads every decimal as a float, so `3.14159265358979323846264338`
or `1e400` would come back changed. Here a decimal becomes a `float` when the float is the same number (its
shortest repr has the literal's value: `0.1`, `2.5e-07`), and a `decimal.Decimal` otherwise; a `Decimal` in a
request body is written as its exact digits. Everything else is the standard library's `json`."""
import decimal
import json
import uuid


def _number(text):
    """A float when the float reproduces the literal's value, else the literal as a Decimal."""
    value = float(text)
    # At most 15 significant digits and no exponent: a float always reproduces such a literal (DBL_DIG).
    if len(text) <= 16 and "e" not in text and "E" not in text:
        return value
    exact = decimal.Decimal(text)
    if value != value or value in (float("inf"), float("-inf")) or decimal.Decimal(repr(value)) != exact:
        return exact
    return value


def loads(text):
    return json.loads(text, parse_float=_number)


def dumps(value, **options):
    """`json.dumps`, writing each `decimal.Decimal` as its exact digits (the standard encoder cannot)."""
    marker = "sweep-decimal-" + uuid.uuid4().hex + "-"
    decimals = []

    def swap(item):
        if isinstance(item, decimal.Decimal):
            if not item.is_finite():
                raise ValueError(f"{item} is not a JSON number")
            decimals.append(item)
            return f"{marker}{len(decimals) - 1}"
        if isinstance(item, dict):
            return {key: swap(member) for key, member in item.items()}
        if isinstance(item, (list, tuple)):
            return [swap(member) for member in item]
        return item

    text = json.dumps(swap(value), **options)
    for index in range(len(decimals) - 1, -1, -1):
        # Descending, so marker-10 is replaced before marker-1 could match its prefix (the quotes end each one).
        text = text.replace(f'"{marker}{index}"', str(decimals[index]))
    return text
