"""Names of the fan-out groups (ASCII, short: valid for every channel layer)."""


def workshop_group(workshop_id):
    """Everyone in a workshop: participants' sockets and the control room."""
    return f"ws.{workshop_id}"


def room_group(room_id):
    """The sockets of one room's members (and facilitators looking in)."""
    return f"room.{room_id}"


def control_group(workshop_id):
    """The facilitators' control sockets of a workshop: every workshop and room event."""
    return f"ctl.{workshop_id}"


def presence_group(workshop_id):
    """Where the processes holding a workshop's sockets exchange who is online."""
    return f"pres.{workshop_id}"
