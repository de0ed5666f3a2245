"""Room assignment: split people into breakout rooms that are as mixed as possible.

The problem
-----------
``plan_rooms`` puts ``n`` people into ``R`` rooms whose sizes differ by at most one and minimises
the weighted number of *similar pairs* sharing a room: two people with the same value of an
attribute (department, location, level, region, ...), pairs who met before, and pairs who already
shared a room in an earlier round. It is the maximally diverse grouping problem (MDGP) with a
special, count-based distance, under hard constraints (keep apart, keep together, pinned).

One value held by ``N`` people cannot do better than spreading evenly over the rooms, which gives
the per-attribute ``lower_bound``. For two attributes every bound is reachable at once: people are
the edges of a bipartite multigraph (department - location) and rooms are edge colours, and every
bipartite multigraph has an equitable, balanced edge colouring (de Werra, 1971). With more
attributes, or pairs to avoid, the bounds may not all be reachable and quality is the search's.

Approach
--------
1. People pinned to a room or kept together are placed first and never move again (``start``).
2. Everyone else is dealt randomly into the remaining seats: the pure-random split.
3. Kempe rebalancing, de Werra's constructive proof, for the two heaviest attributes: two rooms
   where some value is unevenly spread are re-split along alternating Euler trails of the
   attribute graph, which leaves every value balanced between them (``search``).
4. Conflict-driven local search (best swap or move for a person who takes part in a similar pair,
   plateau moves and a little noise) for further attributes, met-before and repeat pairs,
   keep-apart pairs and rooms holding fixed people. It stops at the bound.
5. If a bound is still missed, iterated tabu search on the same cost as a distance matrix, the
   search of ``solve_mdgp`` (``polish``, up to 1,500 people).
6. A random walk of cost-neutral swaps, so different seeds give different rooms of equal quality.

``solve_mdgp`` solves the general problem on a distance matrix (``mdgp``, ``population``,
``swaps``, ``tabu``); ``mdgplib`` reads the literature's instances.

Modules: ``problem`` (vocabulary), ``inputs`` (checks), ``start``, ``search`` and ``polish``
(the room search), ``rooms`` (the room-planning API), ``tabu`` (tabu search over moves and
swaps), ``swaps``, ``population`` and ``mdgp`` (the general solver), ``mdgplib``
(instances). Nothing here imports Django.
"""

from .mdgp import solve_mdgp
from .mdgplib import MdgpInstance, mdgp_value, read_mdgplib
from .problem import (
    IGNORE,
    MET_BEFORE,
    MIX_IF_POSSIBLE,
    MIX_LEVELS,
    MUST_MIX,
    REPEAT,
    Person,
    spread_lower_bound,
)
from .rooms import Plan, best_room_for, plan_rooms, plan_rounds

__all__ = [
    "IGNORE",
    "MET_BEFORE",
    "MIX_IF_POSSIBLE",
    "MIX_LEVELS",
    "MUST_MIX",
    "REPEAT",
    "MdgpInstance",
    "Person",
    "Plan",
    "best_room_for",
    "mdgp_value",
    "plan_rooms",
    "plan_rounds",
    "read_mdgplib",
    "solve_mdgp",
    "spread_lower_bound",
]
