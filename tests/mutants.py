#!/usr/bin/env python3
"""mutants.py - mutation testing of the model and the plan (`make mutants`).

    python3 tests/mutants.py [MUTANT...]     (from the repository root)

Each tests/mutants/*.mut file is one small hand-written mutant:

    # what: the retransmissions go at 2, 4, 8 ... s instead of 1, 3, 7 ...
    # expect: killed
    file: model/sim.c
    find: start + (((sim_time)1 << n) - 1) * SIM_US_PER_S
    replace: start + ((sim_time)1 << n) * SIM_US_PER_S

`find` is an exact piece of one line that must occur exactly once in `file`
(leading and trailing blanks of both values are ignored); several find /
replace pairs may follow each other and are applied in order.  Mutants that
survive on purpose say `# expect: survives` and why in their header
(equivalent, or not worth a test).

The tree is copied (git's files as they are in the worktree) to
build/mutant/tree and built there once; each mutant is applied to that copy
only, built incrementally, run through the fast suite and reverted, so the
worktree is never mutated, even on Ctrl-C.  The fast suite, in order, stops
at the first failure:

    check  the Check suites exact, theory and sim (without its slow batch
           case), then plan, then sim_parts (the simulator's state
           machines against their references);
    e2e    tests/e2e.sh (which also checks conservation on every result).

A mutant whose text is not found (another edit changed that line) or that
does not build is reported as an ERROR, never as killed.  Prints one line
per mutant and the totals; exits 1 if a mutant survived unexpectedly or was
in error.  The copy is kept between runs (synchronised with the worktree
and rebuilt incrementally); MUTANT arguments pick mutants by name.
"""
import os
import shutil
import subprocess
import sys
import time

ROOT = os.getcwd()
MUTDIR = os.path.join(ROOT, "tests", "mutants")
WORK = os.path.join(ROOT, "build", "mutant")
TREE = os.path.join(WORK, "tree")
JOBS = os.environ.get("MUTANT_JOBS", "2")
STAGE_TIMEOUT = 300

# (stage name, command, environment additions); run in TREE
CHECK = ["build/check_all"]
STAGES = [
    ("exact", CHECK, {"CK_RUN_SUITE": "exact"}),
    ("theory", CHECK, {"CK_RUN_SUITE": "theory"}),
    ("sim", CHECK, {"CK_RUN_SUITE": "sim", "CK_RUN_CASE": "latency"}),
    ("sim", CHECK, {"CK_RUN_SUITE": "sim", "CK_RUN_CASE": "arrivals"}),
    ("sim", CHECK, {"CK_RUN_SUITE": "sim", "CK_RUN_CASE": "event_queue"}),
    ("sim", CHECK, {"CK_RUN_SUITE": "sim", "CK_RUN_CASE": "shortcuts"}),
    ("plan", CHECK, {"CK_RUN_SUITE": "plan"}),
    ("parts", CHECK, {"CK_RUN_SUITE": "sim_parts"}),
    ("e2e", ["sh", "tests/e2e.sh"], {}),
]


def parse(path):
    m = {"name": os.path.basename(path)[:-4], "what": "", "expect": "killed", "file": None,
         "edits": [], "why": ""}
    find = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                body = line[1:].strip()
                if body.startswith("what:"):
                    m["what"] = body[5:].strip()
                elif body.startswith("expect:"):
                    m["expect"] = body[7:].strip().split()[0]
                    m["why"] = body[7:].strip()
                continue
            if line.startswith("file:"):
                m["file"] = line[5:].strip()
            elif line.startswith("find:"):
                find = line[5:].strip()
            elif line.startswith("replace:"):
                if find is None:
                    raise ValueError(f"{path}: replace: without find:")
                m["edits"].append((find, line[8:].strip()))
                find = None
    if not m["file"] or not m["edits"]:
        raise ValueError(f"{path}: needs file:, find: and replace:")
    return m


def run(cmd, env=None, timeout=None, log=None):
    e = dict(os.environ)
    e.update(env or {})
    try:
        p = subprocess.run(cmd, cwd=TREE, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as x:
        out, rc = (x.stdout or b"") + b"\n(timeout)\n", "timeout"
    if log is not None:
        with open(log, "ab") as f:
            f.write(b"$ " + " ".join(cmd).encode() + b"\n" + out)
    return rc


def make(log):
    return run(["make", "--no-print-directory", "-j" + JOBS, "natcap", "build/check_all"], log=log)


def copy_tree():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           stdout=subprocess.PIPE, check=True).stdout.split(b"\0")
    want = set()
    for f in files:
        f = f.decode()
        if not f or not os.path.isfile(os.path.join(ROOT, f)):
            continue
        want.add(f)
        dst = os.path.join(TREE, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst) or open(dst, "rb").read() != open(os.path.join(ROOT, f), "rb").read():
            shutil.copy(os.path.join(ROOT, f), dst)   # a new mtime: make rebuilds it
    # files of an earlier copy that the worktree no longer has (not the build)
    for d, _, names in os.walk(TREE):
        rel = os.path.relpath(d, TREE)
        if rel == "build" or rel.startswith("build" + os.sep):
            continue
        for n in names:
            f = os.path.normpath(os.path.join(rel, n))
            if f not in want and f not in ("natcap", "natcap-asan"):
                os.remove(os.path.join(TREE, f))


def apply(m, text):
    for find, repl in m["edits"]:
        n = text.count(find)
        if n != 1:
            return None, f"'{find[:50]}' found {n} times in {m['file']}"
        text = text.replace(find, repl)
    return text, None


def main(argv):
    only = argv
    paths = sorted(os.path.join(MUTDIR, p) for p in os.listdir(MUTDIR) if p.endswith(".mut"))
    if only:
        paths = [p for p in paths if any(o in os.path.basename(p) for o in only)]
    mutants = [parse(p) for p in paths]
    os.makedirs(TREE, exist_ok=True)
    copy_tree()
    logdir = os.path.join(WORK, "logs")
    os.makedirs(logdir, exist_ok=True)
    os.environ["NATCAP"] = os.path.join(TREE, "natcap")
    t0 = time.time()
    base_log = os.path.join(logdir, "base.log")
    open(base_log, "w").close()
    if make(base_log) != 0:
        print(f"mutants: the unmutated tree does not build (see {base_log})")
        return 1
    print(f"mutants: {len(mutants)} mutants; the unmutated tree built in {time.time() - t0:.0f} s; "
          f"logs in {os.path.relpath(logdir)}")
    killed = survived = errors = unexpected = 0
    rows = []
    for m in mutants:
        src = os.path.join(TREE, m["file"])
        log = os.path.join(logdir, m["name"] + ".log")
        open(log, "w").close()
        t1 = time.time()
        try:
            orig = open(src).read()
        except OSError as e:
            orig, text, err = None, None, str(e)
        else:
            text, err = apply(m, orig)
        result = None
        if text is not None:
            try:
                with open(src, "w") as f:
                    f.write(text)
                if make(log) != 0:
                    err = "does not build"
                else:
                    for name, cmd, env in STAGES:
                        rc = run(cmd, env, STAGE_TIMEOUT, log)
                        if rc != 0:
                            result = f"killed by {name}" + (" (timeout)" if rc == "timeout" else "")
                            break
            finally:
                with open(src, "w") as f:
                    f.write(orig)
        dt = time.time() - t1
        if err is not None:
            status = "ERROR: " + err
            errors += 1
        elif result is not None:
            status = result
            killed += 1
            if m["expect"] != "killed":
                status += " (header says it survives)"
        else:
            status = "SURVIVED"
            survived += 1
            if m["expect"] == "killed":
                unexpected += 1
            else:
                status += " (explained in its header)"
        rows.append((m["name"], status))
        print(f"{m['name']:<34} {status:<28} {dt:5.0f} s  {m['what']}", flush=True)
    # rebuild the unmutated objects so that the next run starts clean
    make(base_log)
    total = len(mutants)
    print(f"mutants: {killed} of {total} killed, {survived} survived "
          f"({unexpected} unexpectedly), {errors} in error; {time.time() - t0:.0f} s")
    return 1 if unexpected or errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\nmutants: interrupted (the worktree was never changed; build/mutant/tree is restored)")
        sys.exit(130)
