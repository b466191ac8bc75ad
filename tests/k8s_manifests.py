#!/usr/bin/env python3
"""k8s_manifests.py - the README's Kubernetes Indexed Job and merge Job, checked here.

    NATCAP=/abs/path/natcap python3 tests/k8s_manifests.py [README.md]
    python3 tests/k8s_manifests.py --json [README.md]   (the documents as JSON)

No cluster runs here.  The YAML block after the README's `natcap-test: k8s-jobs`
marker (two documents: the shards Job, then the merge Job) is
  1. parsed (python3-yaml) and checked field by field against the Kubernetes API
     types of Debian's python3-kubernetes client (generated from the API's
     OpenAPI spec): every field must exist where it is written (a misspelt
     `completionmode` is an error, not ignored as a cluster's non-strict decoding
     would), have the type the API gives, and every required field is there;
  2. checked for what an Indexed Job of natcap needs: batch/v1 Job,
     completionMode Indexed, completions and parallelism, restartPolicy Never or
     OnFailure, a container running `natcap run --shards N` with N = completions
     (natcap takes K from JOB_COMPLETION_INDEX only with --shards), -i and -o on
     a mounted volume, the volume a PersistentVolumeClaim; the merge Job running
     `natcap merge` on the same claim, reading the directory the shards write;
  3. run as the pods would be: each container command, once per index with
     JOB_COMPLETION_INDEX set and the container's env, with the volume's mount
     path mapped to a temporary directory holding tests/e2e/shard as the
     inputs; then the merge Job's command; its outputs must equal a single
     `natcap run` byte for byte.
tests/k8s_schema.js (`make test-k8s`) adds the API's JSON schema (npm's
kubernetes-models): enums and formats, which the python types don't hold.
Prints "N passed, M failed" last; exits 1 when anything failed.
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

MARKER = "natcap-test: k8s-jobs"
passed = 0
failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok   " + msg)


def ko(msg):
    global failed
    failed += 1
    print("FAIL " + msg)


def check(cond, msg, detail=""):
    if cond:
        ok(msg)
    else:
        ko(msg + (": " + detail if detail else ""))
    return cond


def manifest_block(readme):
    text = open(readme, encoding="utf-8").read()
    at = text.find(MARKER)
    if at < 0:
        return None
    m = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M).search(text, at)
    return m.group(1) if m else None


# ---------------------------------------------------------------- API types
def api_check(obj, typ, path, errs, client):
    """Walk obj against the python client's model for typ (e.g. "V1Job")."""
    m = re.fullmatch(r"list\[(.*)\]", typ)
    if m:
        if not isinstance(obj, list):
            errs.append(f"{path}: a list expected, got {type(obj).__name__}")
            return
        for i, v in enumerate(obj):
            api_check(v, m.group(1), f"{path}[{i}]", errs, client)
        return
    m = re.fullmatch(r"dict\(([^,]*), (.*)\)", typ)
    if m:
        if not isinstance(obj, dict):
            errs.append(f"{path}: a map expected, got {type(obj).__name__}")
            return
        for k, v in obj.items():
            # quantities (resources) are strings in the API types; YAML numbers
            # (cpu: 2) are accepted by the API server as quantities too
            if m.group(2) == "str" and isinstance(v, (int, float)) and not isinstance(v, bool):
                continue
            api_check(v, m.group(2), f"{path}.{k}", errs, client)
        return
    prim = {"str": str, "int": int, "bool": bool, "float": (int, float)}
    if typ in prim:
        if not isinstance(obj, prim[typ]) or (typ == "int" and isinstance(obj, bool)):
            errs.append(f"{path}: {typ} expected, got {obj!r}")
        return
    if typ in ("object", "datetime", "date"):
        return
    cls = getattr(client, typ, None)
    if cls is None:
        errs.append(f"{path}: no API type {typ}")
        return
    if not isinstance(obj, dict):
        errs.append(f"{path}: an object ({typ}) expected, got {obj!r}")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for k, v in obj.items():
        if k not in by_json:
            errs.append(f"{path}.{k}: no such field in {typ}")
            continue
        api_check(v, cls.openapi_types[by_json[k]], f"{path}.{k}", errs, client)


def api_required(doc, client):
    """Deserialize doc into the models: raises on a missing required field."""
    try:
        client.ApiClient()._ApiClient__deserialize(doc, "V1Job")
        return None
    except (ValueError, TypeError) as e:
        return str(e)


# ---------------------------------------------------------------- natcap's needs
def container(doc):
    return doc["spec"]["template"]["spec"]["containers"][0]


def opt(cmd, name):
    return cmd[cmd.index(name) + 1] if name in cmd and cmd.index(name) + 1 < len(cmd) else None


def mounts(doc):
    """{mountPath: claimName} of the first container"""
    spec = doc["spec"]["template"]["spec"]
    vols = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in spec.get("volumes", [])}
    return {m["mountPath"]: vols.get(m["name"]) for m in container(doc).get("volumeMounts", [])}


def under(path, doc):
    return path is not None and any(path == p or path.startswith(p.rstrip("/") + "/") for p in mounts(doc))


def natcap_checks(shards, merge):
    s = shards.get("spec", {})
    check(shards.get("apiVersion") == "batch/v1" and shards.get("kind") == "Job",
          "shards: apiVersion batch/v1, kind Job")
    check(s.get("completionMode") == "Indexed", "shards: completionMode Indexed (sets JOB_COMPLETION_INDEX)")
    n = s.get("completions")
    check(isinstance(n, int) and n >= 1, f"shards: completions {n}")
    p = s.get("parallelism")
    check(isinstance(p, int) and 1 <= p <= (n or 0), f"shards: parallelism {p} (1..completions)")
    pod = s.get("template", {}).get("spec", {})
    check(pod.get("restartPolicy") in ("Never", "OnFailure"),
          f"shards: restartPolicy {pod.get('restartPolicy')} (a Job's pods: Never or OnFailure)")
    cmd = [str(a) for a in container(shards).get("command", []) + container(shards).get("args", [])]
    check(cmd[:2] == ["natcap", "run"], "shards: the container runs natcap run", " ".join(cmd))
    check(opt(cmd, "--shards") == str(n) and "--shard" not in cmd,
          f"shards: --shards {opt(cmd, '--shards')} = completions {n}, no --shard (the index comes from JOB_COMPLETION_INDEX)")
    env = {e["name"] for e in container(shards).get("env", [])}
    check("JOB_COMPLETION_INDEX" not in env, "shards: JOB_COMPLETION_INDEX left to Kubernetes (not set in env)")
    check(under(opt(cmd, "-i"), shards) and under(opt(cmd, "-o"), shards),
          f"shards: -i {opt(cmd, '-i')} and -o {opt(cmd, '-o')} on a mounted volume")
    claims = set(mounts(shards).values())
    check(claims and None not in claims, f"shards: the volume is a PersistentVolumeClaim ({claims})")

    check(merge.get("apiVersion") == "batch/v1" and merge.get("kind") == "Job", "merge: apiVersion batch/v1, kind Job")
    mpod = merge.get("spec", {}).get("template", {}).get("spec", {})
    check(mpod.get("restartPolicy") in ("Never", "OnFailure"), f"merge: restartPolicy {mpod.get('restartPolicy')}")
    check(merge.get("spec", {}).get("completionMode", "NonIndexed") == "NonIndexed" and
          merge.get("spec", {}).get("completions", 1) == 1, "merge: a single pod (not indexed)")
    mcmd = [str(a) for a in container(merge).get("command", []) + container(merge).get("args", [])]
    check(mcmd[:2] == ["natcap", "merge"], "merge: the container runs natcap merge", " ".join(mcmd))
    parts = opt(cmd, "-o")
    check(parts in mcmd[2:] and mcmd[mcmd.index(parts) - 1] != "-o",
          f"merge: reads the shards' output directory {parts}")
    check(under(opt(mcmd, "-o"), merge), f"merge: -o {opt(mcmd, '-o')} on a mounted volume")
    check(set(mounts(merge).values()) == claims and set(mounts(merge)) == set(mounts(shards)),
          "merge: the same claim at the same mount path as the shards")
    return cmd, mcmd


# ---------------------------------------------------------------- run the pods here
def same_tree(a, b):
    la = sorted(os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
    lb = sorted(os.path.relpath(os.path.join(d, f), b) for d, _, fs in os.walk(b) for f in fs)
    if la != lb or not la:
        return f"file lists differ: {sorted(set(la) ^ set(lb))}"
    diff = [f for f in la if not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False)]
    return f"differ: {diff}" if diff else None


def run_pods(natcap, shards, merge, cmd, mcmd, tmp):
    mount = next(iter(mounts(shards)))
    data = os.path.join(tmp, "data")

    def local(args):
        out = [natcap]
        for a in args[1:]:
            out.append(data + a[len(mount.rstrip("/")):] if a == mount or a.startswith(mount.rstrip("/") + "/") else a)
        return out

    inputs = local(["natcap", opt(cmd, "-i")])[1]
    shutil.copytree("tests/e2e/shard", inputs)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("SLURM_") and k != "JOB_COMPLETION_INDEX"}
    base["SOURCE_DATE_EPOCH"] = "1700000000"
    n = shards["spec"]["completions"]
    bad = []
    for k in range(n):
        env = dict(base, JOB_COMPLETION_INDEX=str(k))
        env.update({e["name"]: str(e.get("value", "")) for e in container(shards).get("env", [])})
        r = subprocess.run(local(cmd), env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0 or f"natcap: shard {k}/{n} (from JOB_COMPLETION_INDEX)" not in r.stderr:
            bad.append(f"index {k}: exit {r.returncode}: {r.stderr.strip()}")
    check(not bad, f"the {n} pods' command, JOB_COMPLETION_INDEX 0..{n - 1}: each wrote its shard", "; ".join(bad))
    env = dict(base)
    env.update({e["name"]: str(e.get("value", "")) for e in container(merge).get("env", [])})
    r = subprocess.run(local(mcmd), env=env, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "the merge pod's command", r.stderr.strip())
    single = os.path.join(tmp, "single")
    env_single = dict(base, SOURCE_DATE_EPOCH=env.get("SOURCE_DATE_EPOCH", "1700000000"))
    r = subprocess.run([natcap, "run", "-q", "-i", inputs, "-o", single, "-j2"], env=env_single,
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "a single natcap run of the same inputs", r.stderr.strip())
    d = same_tree(single, local(["natcap", opt(mcmd, "-o")])[1])
    check(d is None, "the merge pod's outputs byte-identical to the single run", d or "")


def main():
    args = sys.argv[1:]
    as_json = "--json" in args  # print the documents as JSON (for tests/k8s_schema.js)
    args = [a for a in args if a != "--json"]
    readme = args[0] if args else "README.md"
    natcap = os.environ.get("NATCAP", os.path.abspath("natcap"))
    block = manifest_block(readme)
    if as_json:
        import json
        json.dump([d for d in yaml.safe_load_all(block or "") if d is not None], sys.stdout)
        return 0
    if not check(block is not None, f"{readme}: a YAML block after the {MARKER} marker"):
        return finish()
    try:
        docs = [d for d in yaml.safe_load_all(block) if d is not None]
    except yaml.YAMLError as e:
        ko(f"the manifests are not valid YAML: {e}")
        return finish()
    if not check(len(docs) == 2, f"two documents (shards Job, merge Job): {len(docs)}"):
        return finish()
    shards, merge = docs
    try:
        import kubernetes
        import kubernetes.client as client
    except ImportError:
        ko("python3-kubernetes is not installed (sh scripts/deps.sh test installs it)")
        client = None
    if client is not None:
        for name, doc in (("shards", shards), ("merge", merge)):
            errs = []
            api_check(doc, "V1Job", name, errs, client)
            check(not errs, f"{name}: every field a Kubernetes API field of the right type "
                  f"(python3-kubernetes {kubernetes.__version__})", "; ".join(errs))
            e = api_required(doc, client)
            check(e is None, f"{name}: every required field present", e or "")
    try:
        cmd, mcmd = natcap_checks(shards, merge)
    except (KeyError, IndexError, TypeError, AttributeError) as e:
        ko(f"the manifests lack a field natcap needs: {e!r}")
        return finish()
    if failed == 0:
        with tempfile.TemporaryDirectory(prefix="natcap-k8s.") as tmp:
            run_pods(natcap, shards, merge, cmd, mcmd, tmp)
    return finish()


def finish():
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
