#!/usr/bin/python3
"""Runs Autobahn|Testsuite against bench by hand (docs/websocket.md says how
to get the suite; it is neither a Debian nor an npm package, so CI cannot).

  autobahn-suite.py SUITE server OUTDIR NAME=ws://HOST:PORT/echo ...
      the suite's fuzzingclient against running `bench serve echo
      --transport=ws` servers, one agent per NAME
  autobahn-suite.py SUITE client OUTDIR PORT
      the suite's fuzzingserver on PORT, for `bench ws conformance
      --url=ws://127.0.0.1:PORT`; stop it with Ctrl-C once bench is done
  autobahn-suite.py - tally OUTDIR
      each agent's verdicts from OUTDIR/index.json: counts per behaviour,
      and the cases that are neither OK nor INFORMATIONAL

SUITE is a checkout of the suite's Python 3 port (its autobahntestsuite/
folder holds the package). Cases 1-11; 12 and 13 are permessage-deflate,
which bench does not offer.
"""
import collections, json, sys

CASES = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*", "11.*"]


def tally(outdir):
    with open(outdir + "/index.json") as f:
        index = json.load(f)
    bad_total = 0
    for agent, cases in sorted(index.items()):
        counts = collections.Counter(v["behavior"] for v in cases.values())
        bad = sorted((k for k, v in cases.items() if v["behavior"] not in ("OK", "INFORMATIONAL")),
                     key=lambda k: [int(x) for x in k.split(".")])
        bad_total += len(bad)
        print(f"{agent}: {len(cases)} cases, {dict(sorted(counts.items()))}"
              + (f"; not OK: {', '.join(bad)}" if bad else ""))
    return 1 if bad_total else 0


def main(argv):
    if len(argv) < 3 or argv[1] not in ("server", "client", "tally"):
        sys.exit(__doc__)
    if argv[1] == "tally":
        return tally(argv[2])
    sys.path.insert(0, argv[0] + "/autobahntestsuite")
    from twisted.internet import reactor
    from autobahntestsuite import fuzzing
    spec = {"outdir": argv[2], "cases": CASES, "exclude-cases": [], "exclude-agent-cases": {}}
    if argv[1] == "server":
        spec["servers"] = [{"agent": a.split("=", 1)[0], "url": a.split("=", 1)[1]}
                           for a in argv[3:]]
        fuzzing.startClient(spec)
    else:
        spec["url"] = "ws://127.0.0.1:" + argv[3]
        fuzzing.startServer(spec, None)
    reactor.run()
    return tally(argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
