"""MDGPLIB instances (Gallego et al. 2013; Lai & Hao 2016): the literature's test set for the
maximally diverse grouping problem.

An instance file is plain text. The first line is ``n G type a_1 b_1 ... a_G b_G``: ``n``
elements, ``G`` groups, ``type`` ``ss`` (same sizes) or ``ds`` (different sizes), then each
group's minimum and maximum size. Every further line is ``i j d`` (0-based elements, ``i < j``):
the distance between ``i`` and ``j``; pairs not listed are at distance 0. A file may be
xz-compressed (``.txt.xz``), as the copies in ``bench/mdgplib/`` are.
"""

from __future__ import annotations

import lzma
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class MdgpInstance:
    name: str
    distance: np.ndarray
    group_sizes: list[tuple[int, int]]

    @property
    def n(self) -> int:
        return len(self.distance)


def read_mdgplib(path) -> MdgpInstance:
    """Returns the instance in the MDGPLIB file at ``path`` (its name is the file's name
    without ``.txt`` or ``.txt.xz``).

    Raises ValueError naming the file and line when the file is not in that format.
    """
    path = Path(path)
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt") as lines:
        header = lines.readline().split()
        try:
            n, groups = int(header[0]), int(header[1])
            bounds = [int(value) for value in header[3:]]
        except (IndexError, ValueError):
            raise ValueError(
                f"{path}: line 1 must be 'n G type min_1 max_1 ... min_G max_G', "
                f"got {' '.join(header)!r}"
            ) from None
        if n < 1 or groups < 1 or len(bounds) != 2 * groups:
            raise ValueError(
                f"{path}: line 1 names {groups} groups but gives {len(bounds)} size bounds "
                f"(expected {2 * groups}) for {n} elements"
            )
        d = np.zeros((n, n))
        for number, line in enumerate(lines, start=2):
            fields = line.split()
            if not fields:
                continue
            try:
                i, j, value = int(fields[0]), int(fields[1]), float(fields[2])
            except (IndexError, ValueError):
                raise ValueError(
                    f"{path}: line {number} must be 'i j distance', got {line!r}"
                ) from None
            if not (0 <= i < n and 0 <= j < n) or i == j:
                raise ValueError(
                    f"{path}: line {number} names elements {i} and {j}, but elements are two "
                    f"different numbers from 0 to {n - 1}"
                )
            d[i, j] = d[j, i] = value
    sizes = list(zip(bounds[0::2], bounds[1::2], strict=True))
    return MdgpInstance(path.name.removesuffix(".xz").removesuffix(".txt"), d, sizes)


def mdgp_value(distance, groups) -> float:
    """Returns the sum of distances between elements of the same group."""
    groups = np.asarray(groups)
    same = groups[:, None] == groups[None, :]
    return float((np.asarray(distance) * same).sum() / 2)
