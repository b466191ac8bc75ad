// k8s_schema.js - the README's Kubernetes Jobs against the Kubernetes API's JSON
// schema, offline, with npm's kubernetes-models (its generated ajv validators:
// types, required fields, enums such as restartPolicy, formats such as
// quantities).  `make test-k8s` installs the package into build/ and runs
//
//   python3 tests/k8s_manifests.py --json README.md | node tests/k8s_schema.js DIR
//
// with DIR its kubernetes-models directory.  The schema does not forbid unknown
// fields (an API server drops them); tests/k8s_manifests.py checks those.
// Prints "N passed, M failed" last; exits 1 when anything failed.
"use strict";
const fs = require("fs");
const path = require("path");
const dir = process.argv[2];
const { Job } = require(path.join(dir, "batch", "v1", "Job.js"));
const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
const docs = JSON.parse(fs.readFileSync(0, "utf8"));
let passed = 0, failed = 0;
for (const d of docs) {
  const name = (d.metadata && d.metadata.name) || "?";
  try {
    if (d.apiVersion !== "batch/v1" || d.kind !== "Job") throw new Error(`${d.apiVersion} ${d.kind}, not batch/v1 Job`);
    new Job(d).validate();
    passed++;
    console.log(`ok   ${name}: valid batch/v1 Job (kubernetes-models ${version} schema)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
if (docs.length !== 2) { failed++; console.log(`FAIL ${docs.length} documents, want 2`); }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
