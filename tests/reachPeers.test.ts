import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "workloads", "reach-peers.sh");

/**
 * A stand-in for `getent hosts NAME` that answers from a table of `name address [misses]`
 * lines: a name with `misses` fails that many lookups before it resolves, like a record that
 * appears late.
 */
const FAKE_GETENT = `#!/bin/sh
name="$2"
count_file="$FAKE_DNS_DIR/count-$name"
count=$(cat "$count_file" 2>/dev/null || echo 0)
count=$((count + 1))
echo "$count" > "$count_file"
line=$(grep "^$name " "$FAKE_DNS_DIR/table") || exit 2
set -- $line
if [ -n "\${3:-}" ] && [ "$count" -le "$3" ]; then exit 2; fi
echo "$2        $name"
`;

function runScript(table: string, attempts = 4) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reach-peers-"));
    fs.writeFileSync(path.join(dir, "getent"), FAKE_GETENT, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "table"), table);
    const result = spawnSync("sh", [SCRIPT], {
        encoding: "utf8",
        env: {
            PATH: `${dir}:${process.env.PATH}`,
            FAKE_DNS_DIR: dir,
            PEER_JOB_NAME: "example-job",
            PEER_JOB_SUBDOMAIN: "headless-svc",
            PEER_JOB_PEER_COUNT: "3",
            PEER_LOOKUP_ATTEMPTS: String(attempts),
            PEER_LOOKUP_MAX_DELAY: "0",
        },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return result;
}

describe("the example workload", () => {
    it("exits 0 once every peer resolves by name", () => {
        const result = runScript(
            "example-job-0.headless-svc 10.0.0.1\n" +
                "example-job-1.headless-svc 10.0.0.2\n" +
                "example-job-2.headless-svc 10.0.0.3\n",
        );
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /example-job-2\.headless-svc resolves to 10\.0\.0\.3/);
        assert.match(result.stdout, /all 3 peers resolve by name/);
    });

    it("retries a peer whose record appears late", () => {
        const result = runScript(
            "example-job-0.headless-svc 10.0.0.1\n" +
                "example-job-1.headless-svc 10.0.0.2 2\n" +
                "example-job-2.headless-svc 10.0.0.3\n",
        );
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(
            result.stdout,
            /example-job-1\.headless-svc does not resolve yet \(attempt 2 of 4\)/,
        );
        assert.match(result.stdout, /all 3 peers resolve by name/);
    });

    it("gives up with a line naming a peer that never appears", () => {
        const result = runScript(
            "example-job-0.headless-svc 10.0.0.1\n" + "example-job-2.headless-svc 10.0.0.3\n",
        );
        assert.strictEqual(result.status, 1);
        assert.match(
            result.stderr,
            /peer example-job-1\.headless-svc did not resolve after 4 attempts; giving up/,
        );
        assert.doesNotMatch(result.stdout, /example-job-2/);
    });
});
