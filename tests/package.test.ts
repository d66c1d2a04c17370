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

    it("ships the wait script beside the built library, where the component reads it", () => {
        const built = path.join(ROOT, path.dirname(pkg.main), "wait-for-peers.sh");
        assert.strictEqual(
            fs.readFileSync(built, "utf8"),
            fs.readFileSync(path.join(ROOT, "components", "wait-for-peers.sh"), "utf8"),
        );
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
