"""Segwit address validation (bech32 and bech32m), after the BIP-173 and BIP-350 reference code.

The ``bech32`` package on PyPI implements BIP-173 only (no bech32m, so no Taproot addresses), and
the libraries that do both pull in a whole wallet stack; the algorithm is short and fixed.
"""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    """Regroup bits without padding (as decoding needs); None when the padding is not zero."""
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def decode_segwit(address: str, hrp: str = "bc") -> tuple[int, bytes] | None:
    """``(witness version, witness program)`` of a valid segwit address, or None.

    Checks what BIP-173/350 require: one case, the checksum (bech32 for version 0, bech32m for
    1..16), the program length (2..40 bytes; 20 or 32 for version 0).
    """
    if address.lower() != address and address.upper() != address:
        return None
    address = address.lower()
    pos = address.rfind("1")
    if address[:pos] != hrp or pos + 7 > len(address) or len(address) > 90:
        return None
    try:
        data = [_VALUE[c] for c in address[pos + 1:]]
    except KeyError:
        return None
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST) or not data[:-6]:
        return None
    version = data[0]
    program = _convert_bits(data[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (len(program) not in (20, 32) or const != _BECH32_CONST):
        return None
    if version > 0 and const != _BECH32M_CONST:
        return None
    return version, bytes(program)
