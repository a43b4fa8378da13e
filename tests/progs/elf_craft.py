#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes a crafted copy of an ELF64 file: elf_craft.py IN OUT SECTION=TYPE:SIZE ...

Each named section's header gets the type (nobits, progbits) and size given, its bytes in the
file untouched: e.g. .plt=nobits:0x100000 makes a 1 MiB PLT with no data in the file, the
shape that crashed the reader. Little-endian ELF64 only (what the tests build)."""
import struct
import sys

TYPES = {"nobits": 8, "progbits": 1, "note": 7}


def main():
    data = bytearray(open(sys.argv[1], "rb").read())
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not ELF64 LE"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    str_off, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    want = dict(a.split("=", 1) for a in sys.argv[3:])
    done = set()
    for i in range(shnum):
        h = shoff + i * shentsize
        name_off, = struct.unpack_from("<I", data, h)
        end = data.index(b"\0", str_off + name_off)
        name = data[str_off + name_off:end].decode()
        if name in want:
            typ, size = want[name].split(":")
            struct.pack_into("<I", data, h + 4, TYPES[typ])
            struct.pack_into("<Q", data, h + 0x20, int(size, 0))
            done.add(name)
    missing = set(want) - done
    assert not missing, f"no section {missing}"
    open(sys.argv[2], "wb").write(data)


main()
