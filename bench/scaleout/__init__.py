"""The parts of bench/workshop.py (a company-wide workshop through the load balancer), one job
each: the deployment (deploy/scale.sh), the bench's database (child processes), clients that
behave like a participant's browser, one module per scenario, and the result table.

These modules import bench/rooms.py as `rooms`: bench/workshop.py puts bench/ on sys.path
before it imports them.
"""

from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
