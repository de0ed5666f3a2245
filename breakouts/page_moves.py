"""Lobby pages moving to their rooms, taken together (the `page` frames of a breakout start).

One `room.assigned` reaches every lobby socket of the process at once. Each moving on its own
made two trips to the database thread and two queries per person, and at a thousand people
the trips waited on each other: the thread handing the interpreter back and forth with the
event loop, and PostgreSQL answering a busy machine (py-spy on a Daphne process: a third of
that thread's time in psycopg's send and wait). So this process's moves queue here and leave in
batches: one query reads a batch's members and rooms, each socket then follows its room, and
one trip draws the batch's pages (breakouts/room_page.py), a room's members one after another
so that its page is drawn once. Then each socket sends its `page` frame
(ParticipantConsumer.page_ready). A socket whose page another process is drawing goes to the
back of the queue (breakouts/room_page.py).
"""

import asyncio
import logging
from itertools import islice

from breakouts.room_page import LATER, room_page_for
from breakouts.socket_lookups import members_by_id
from live.consumer import connect_to_async
from live.pages import language_of

logger = logging.getLogger(__name__)

BATCH = 25  # sockets per trip to the database thread
TURNS = 40  # times a socket waits for a page another process draws, then draws it itself
WAIT = 0.05  # seconds between turns when every socket left waits for another process
_queues = {}  # hub → PageMoves


def moves_for(hub):
    """Returns this process's queue of moves (one per hub, i.e. per event loop)."""
    moves = _queues.get(id(hub))
    if moves is None or moves.hub is not hub:
        moves = _queues[id(hub)] = PageMoves(hub)
    return moves


class PageMoves:
    def __init__(self, hub):
        self.hub = hub
        self.waiting = {}  # socket → URL of its room, in the order they came
        self.turns = {}  # socket → how often its page was being drawn by another process
        self.task = None

    def add(self, consumer, url):
        self.waiting[consumer] = url
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self):
        try:
            await asyncio.sleep(0)  # the event's other deliveries queue up first
            while self.waiting:
                batch = list(islice(self.waiting.items(), BATCH))
                for consumer, _url in batch:
                    del self.waiting[consumer]
                try:
                    later = await move(batch, self.turns)
                except Exception:
                    logger.exception("Moving %d lobby pages to their rooms failed", len(batch))
                    for consumer, url in batch:  # their pages load the room themselves
                        consumer.page_ready(url, None, None)
                    continue
                for consumer, url in later:  # at the back: another process draws their page
                    self.turns[consumer] = self.turns.get(consumer, 0) + 1
                    self.waiting[consumer] = url
                if later and len(later) == len(batch):
                    await asyncio.sleep(WAIT)
        finally:
            self.task = None
            self.turns.clear()


async def move(batch, turns):
    """Moves a batch; returns the (socket, URL)s whose page another process is drawing."""
    batch = [(consumer, url) for consumer, url in batch if not consumer.closed]
    members = await connect_to_async(members_by_id)(
        [(consumer.workshop_id, consumer.participant_id) for consumer, _url in batch])
    moving = []
    for (consumer, url), member in zip(batch, members, strict=True):
        if member is None or member.room is None or consumer.closed:
            continue
        if member.room.pk != consumer.room_id:
            await consumer.switch_room(member.room)  # first: no event of it is missed
        if consumer.page_language is None:
            consumer.page_language = language_of(consumer.scope, url)
        moving.append((consumer, url, member))
    moving.sort(key=lambda entry: entry[2].room.pk)
    pages = await connect_to_async(draw_pages)(
        [(consumer.scope, url, member, consumer.page_language, turns.get(consumer, 0) < TURNS)
         for consumer, url, member in moving])
    later = []
    for (consumer, url, member), html in zip(moving, pages, strict=True):
        if html is LATER:
            later.append((consumer, url))
        else:
            consumer.page_ready(url, member.room, html)
    return later


def draw_pages(jobs):
    """Returns each job's room page (None: the page loads it; LATER: another process draws
    it), on the database thread."""
    pages = []
    for scope, url, member, language, may_wait in jobs:
        try:
            pages.append(room_page_for(scope, url, member.room, member, language,
                                       may_wait=may_wait))
        except Exception:
            logger.exception("Drawing the room page for a lobby socket failed")
            pages.append(None)
    return pages
