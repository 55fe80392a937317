// Parse .tf files with HashiCorp's HCL parser (via @cdktf/hcl2json) and print {file: json} on stdout.
import { readFileSync } from "node:fs";
import { parse } from "@cdktf/hcl2json";

const out = {};
for (const file of process.argv.slice(2)) {
  out[file] = await parse(file, readFileSync(file, "utf8"));
}
process.stdout.write(JSON.stringify(out));
