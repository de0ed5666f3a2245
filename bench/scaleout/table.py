"""The results of one run: the table printed for people, and the failures that make the
bench exit with status 1 (error pages, lost or duplicated ops and events, stragglers)."""

import os


def fmt(value, digits=0):
    if value is None or value != value:  # None or NaN
        return "-"
    return f"{value:,.{digits}f}"


def print_table(processes, participants, r):
    rows = []

    def row(scenario, what, value, note=""):
        rows.append((scenario, what, value, note))

    for name, value in r.items():
        if isinstance(value, dict) and "failed" in value:
            row(name, "FAILED", value["failed"])
    r = {k: v for k, v in r.items() if not (isinstance(v, dict) and "failed" in v)}

    def cpu(values):
        return ", ".join(f"{k} {v:.0f}%" for k, v in sorted(values.items()) if v >= 0.5)

    if "join" in r:
        j = r["join"]
        row("join storm", "joined / errors / socket retries",
            f"{j['joined']:,} of {j['of']:,} / {sum(j['errors'].values())} / "
            f"{sum(j['socket_retries'].values())}",
            f"in {j['seconds']:.1f} s; {j['errors'] or ''} {j['socket_retries'] or ''}")
        for page, s in j["pages"].items():
            row("join storm", f"{page} p50 / p95 / max ms",
                f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}")
        row("join storm", "CPU (% of a core)", cpu(j["cpu_per_process"]),
            f"machine load {j['load_average']:.1f}")
    if "breakout" in r:
        b = r["breakout"]
        row("breakout start", "plan page / start POST ms",
            f"{fmt(b['plan_page_ms'])} / {fmt(b['start_post_ms'])}")
        for key, label in (("to_room_assigned", "click → room.assigned"),
                           ("to_room_page", "click → room page drawn"),
                           ("to_room_live", "click → room live (its state)")):
            s = b[key]
            row("breakout start", f"{label} p50 / p95 / max ms",
                f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}", f"n={s['n']:,}")
        row("breakout start", "errors / reloads / page loads / socket retries",
            f"{sum(b['errors'].values())} / {b['fallback_reloads']} / {b['page_loads']} / "
            f"{sum(b['socket_retries'].values())}",
            str(b["errors"] or "") + " " + str(b["socket_retries"] or ""))
        row("breakout start", "CPU (% of a core)", cpu(b["cpu_per_process"]),
            f"machine load {b['load_average']:.1f}")
    if "kill" in r:
        k = r["kill"]
        db = k["db"]
        row("process loss", "sockets / disconnected by the kill",
            f"{k['sockets']:,} / {k['disconnected']:,}")
        row("process loss", "ops sent / acked / acked but lost / stored twice",
            f"{k['sent']:,} / {db['acked']:,} / {db['lost']} / {db['duplicated']}",
            f"unacked at end {k['unacked_at_end']}")
        s = k["live_again"]
        row("process loss", "live again p50 / p95 / max ms",
            f"{fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['max'])}",
            f"n={s['n']:,}; {k['errors'] or ''}")
    for key, label in (("steady", "steady (HAProxy)"), ("floor", "steady (raw floor)")):
        if key not in r:
            continue
        s = r[key]
        row(label, "events expected / delivered / lost / dup",
            f"{s['expected']:,} / {s['delivered']:,} / {s['lost']} / {s['duplicated']}",
            f"{s.get('rooms', '')}x{s.get('members', '')}" if key == "steady" else "")
        row(label, "delivery p50 / p99 / max ms",
            f"{fmt(s['p50'], 1)} / {fmt(s['p99'], 1)} / {fmt(s['max'], 1)}",
            f"connect {s['connect_s']:.1f} s")
        if key == "steady":
            row(label, "CPU (% of a core)", cpu(s["cpu_per_process"]),
                f"machine load {s['load_average']:.1f}"
                + (f"; errors {s['errors']}" if s["errors"] else ""))
        else:
            row(label, "CPU (% of a core)", f"{s['cpu']:.0f}%")
    if r.get("http_retries"):
        row("all", "page requests retried (as browsers do)", str(r["http_retries"]))
    print()
    print(f"{participants:,} participants, {processes} Daphne processes behind HAProxy "
          "(loopback; load generator, servers, PostgreSQL and Redis share this machine's "
          f"{os.cpu_count()} cores; machine load = 1-minute load average at the end)")
    widths = [max(len(str(x[i])) for x in rows) for i in range(3)]
    for scenario, what, value, note in rows:
        print(f"{scenario:<{widths[0]}}  {what:<{widths[1]}}  {value:<{widths[2]}}  {note}")


def failures(r):
    """What must never happen: error pages, lost or duplicated ops/events, stragglers."""
    found = [f"{name}: {value['failed']}" for name, value in r.items()
             if isinstance(value, dict) and "failed" in value]
    r = {k: v for k, v in r.items() if not (isinstance(v, dict) and "failed" in v)}
    if "join" in r and (r["join"]["errors"] or r["join"]["joined"] != r["join"]["of"]):
        found.append(f"join storm: {r['join']['errors']}")
    if "lobby" in r and r["lobby"]["errors"]:
        found.append(f"lobby: {r['lobby']['errors']}")
    if "breakout" in r:
        b = r["breakout"]
        if b["errors"] or b["to_room_live"]["n"] != b["participants"]:
            found.append(f"breakout start: {b['to_room_live']['n']} live, {b['errors']}")
    if "kill" in r:
        db = r["kill"]["db"]
        if db["lost"] or db["duplicated"] or r["kill"]["unacked_at_end"]:
            found.append(f"process loss: {db}, unacked {r['kill']['unacked_at_end']}")
    if "steady" in r and (r["steady"]["lost"] or r["steady"]["duplicated"]):
        found.append(f"steady: lost {r['steady']['lost']}, dup {r['steady']['duplicated']}")
    return found
