import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import YAML from "yaml";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("package layout", () => {
    it("points the package entry at the built library, which exports PeerJob", () => {
        const library = require(path.join(ROOT, pkg.main));
        assert.strictEqual(typeof library.PeerJob, "function");
        assert.strictEqual(typeof library.PeerJobValidationError, "function");
        assert.ok(fs.existsSync(path.join(ROOT, pkg.types)), pkg.types);
        assert.match(pkg.main, /^dist\/components\//);
    });

    it("makes pulumi up run the example program, not the library entry", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.strictEqual(project.main, "index.ts");
        assert.ok(fs.existsSync(path.join(ROOT, project.main)));
        // Without `main` in Pulumi.yaml, Pulumi would run package.json's exports or main.
        assert.strictEqual(pkg.exports, undefined);
    });
});
