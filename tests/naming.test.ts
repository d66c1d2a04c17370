import * as assert from "assert";

import {
    longestHostname,
    mapIndexes,
    maxJobNameLength,
    peerDnsSuffix,
    peerFqdn,
    peerShortName,
    rfc1035LabelProblem,
    rfc1123LabelProblem,
    rfc1123SubdomainProblem,
} from "../components/naming";

describe("naming", () => {
    it("accepts RFC 1123 labels and rejects what Kubernetes rejects", () => {
        for (const ok of ["a", "0", "example-job", "9lives", "a".repeat(63)]) {
            assert.strictEqual(rfc1123LabelProblem(ok), undefined, ok);
        }
        for (const bad of ["", "-a", "a-", "A", "a_b", "a.b", "a".repeat(64), "é"]) {
            assert.ok(rfc1123LabelProblem(bad), bad);
        }
    });

    it("requires RFC 1035 labels to start with a letter", () => {
        assert.strictEqual(rfc1035LabelProblem("headless-svc"), undefined);
        assert.match(rfc1035LabelProblem("9svc") ?? "", /starting with a letter/);
        assert.match(rfc1035LabelProblem("s".repeat(64)) ?? "", /at most 63/);
    });

    it("checks cluster domains label by label", () => {
        assert.strictEqual(rfc1123SubdomainProblem("cluster.local"), undefined);
        assert.match(rfc1123SubdomainProblem("cluster..local") ?? "", /"" is not one/);
        assert.match(rfc1123SubdomainProblem("Cluster.local") ?? "", /"Cluster"/);
    });

    it("gives the highest index the longest hostname", () => {
        assert.strictEqual(longestHostname("job", 1), "job-0");
        assert.strictEqual(longestHostname("job", 100000), "job-99999");
    });

    it("leaves room in 63 characters for the highest index", () => {
        // The suffix is "-" plus the digits of completions - 1.
        assert.strictEqual(maxJobNameLength(1), 61);
        assert.strictEqual(maxJobNameLength(10), 61);
        assert.strictEqual(maxJobNameLength(11), 60);
        assert.strictEqual(maxJobNameLength(100000), 57);
        for (const completions of [1, 9, 10, 11, 101, 100000]) {
            const name = "j".repeat(maxJobNameLength(completions));
            assert.strictEqual(longestHostname(name, completions).length, 63);
        }
    });

    it("builds short and fully qualified peer names", () => {
        const suffix = peerDnsSuffix("headless-svc", "team-a", "example.org");
        assert.strictEqual(suffix, "headless-svc.team-a.svc.example.org");
        assert.strictEqual(
            peerShortName("example-job", "headless-svc", 2),
            "example-job-2.headless-svc",
        );
        assert.strictEqual(
            peerFqdn("example-job", 0, peerDnsSuffix("headless-svc", "default")),
            "example-job-0.headless-svc.default.svc.cluster.local",
        );
    });

    it("maps every index in order", () => {
        assert.deepStrictEqual(
            mapIndexes(4, (i) => i * i),
            [0, 1, 4, 9],
        );
        assert.deepStrictEqual(
            mapIndexes(0, (i) => i),
            [],
        );
    });
});
