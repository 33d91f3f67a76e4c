# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a big fixture for benchmarks:

  python3 tests/server/make_fixture.py --contacts 1000 --groups 10 --online 300 > big.json

User alice@example.com (password alice-pw) gets N contacts spread over G
groups (with a few phones, mobile flags, blocked and reverse-only entries);
the first --online of them are phantom contacts that are online in assorted
states.  bob@example.com (bob-pw) is a second real user on alice's list.
Output is deterministic for a given --seed.
"""

import argparse
import json
import random
import sys

STATES = ["NLN", "NLN", "NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN"]


def build(n_contacts, n_groups, n_online, seed, user, password):
    rnd = random.Random(seed)
    groups = [{"id": "0", "name": "Other Contacts"}]
    for g in range(1, max(1, n_groups)):
        groups.append({"id": str(g), "name": "Group %d %s" % (g, rnd.choice(["Work", "Friends", "Family", "Caf\u00e9"]))})
    contacts = [{"passport": "bob@example.com", "friendly": "Bob", "lists": ["FL", "AL", "RL"], "groups": ["0"]}]
    phantoms = {}
    for i in range(n_contacts):
        p = "contact%04d@example.com" % i
        name = "Contact %d %s" % (i, rnd.choice(["", "(away)", "\u2665", "& co", "100%"]))
        name = name.strip()
        roll = rnd.random()
        if i < n_online or roll < 0.9:
            lists = ["FL", "AL", "RL"] if rnd.random() < 0.8 else ["FL", "AL"]
        elif roll < 0.95:
            lists = ["BL", "RL"]
        else:
            lists = ["RL"]
        c = {"passport": p, "friendly": name, "lists": lists}
        if "FL" in lists:
            k = 1 if rnd.random() < 0.85 else 2
            c["groups"] = sorted({str(rnd.randrange(len(groups))) for _ in range(k)}, key=int)
        if rnd.random() < 0.1:
            c["phones"] = {"PHH": "+1 555 %04d" % i}
        if rnd.random() < 0.05:
            c["mobile"] = True
        contacts.append(c)
        if i < n_online:
            phantoms[p] = {"state": rnd.choice(STATES), "friendly": name, "clientid": "268435492"}
    return {
        "users": {
            user: {"password": password, "friendly": "Alice", "gtc": "A", "blp": "AL",
                   "phones": {"PHH": "01 234"}, "groups": groups, "contacts": contacts,
                   "version": 1000, "mail": {"inbox_unread": 5, "folders_unread": 0}},
            "bob@example.com": {"password": "bob-pw", "friendly": "Bob",
                                "contacts": [{"passport": user, "friendly": "Alice",
                                              "lists": ["FL", "AL", "RL"], "groups": ["0"]}],
                                "version": 3},
        },
        "phantoms": phantoms,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contacts", type=int, default=1000)
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--online", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--user", default="alice@example.com")
    ap.add_argument("--password", default="alice-pw")
    a = ap.parse_args()
    json.dump(build(a.contacts, a.groups, min(a.online, a.contacts), a.seed, a.user, a.password),
              sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
