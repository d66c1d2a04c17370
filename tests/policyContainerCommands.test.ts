import * as assert from "assert";

import { commandsOf, pingRunBy } from "../policy/containerCommands";

describe("policy pack: the commands of a shell script", () => {
    it("splits commands at ; && || | & ( ) and newlines, and drops keywords", () => {
        assert.deepStrictEqual(commandsOf("a 1; b && c || d | e & (f)\ng"), [
            ["a", "1"],
            ["b"],
            ["c"],
            ["d"],
            ["e"],
            ["f"],
            ["g"],
        ]);
        assert.deepStrictEqual(commandsOf("if a; then b; elif c; else d; fi"), [
            ["a"],
            ["b"],
            ["c"],
            ["d"],
            ["fi"],
        ]);
        assert.deepStrictEqual(commandsOf("while ! a; do b; done; until c; do { d; }; done"), [
            ["a"],
            ["b"],
            ["done"],
            ["c"],
            ["d"],
            ["}"],
            ["done"],
        ]);
    });

    it("keeps quoted text inside one word and resolves escapes", () => {
        assert.deepStrictEqual(commandsOf(`echo 'a; ping' "b \\"c\\" $(ping x)" d\\ e`), [
            ["echo", "a; ping", 'b "c" $(ping x)', "d e"],
        ]);
        assert.deepStrictEqual(commandsOf("a \\\nb"), [["a", "b"]]);
    });

    it("leaves out assignments, redirections and their targets", () => {
        assert.deepStrictEqual(commandsOf("A=1 B=2 a >out 2>&1 x <in; >/dev/null b"), [
            ["a", "x"],
            ["b"],
        ]);
    });

    it("reads command substitutions and backquotes outside double quotes", () => {
        assert.deepStrictEqual(commandsOf("x=$(a 1) y=`b 2`"), [
            ["a", "1"],
            ["b", "2"],
        ]);
    });

    it("skips comments and the bodies of here-documents", () => {
        assert.deepStrictEqual(
            commandsOf("# a\ncat <<EOF\nping x\nEOF\ncat <<-'END'\n\tping y\n\tEND\nb # c"),
            [["cat"], ["cat"], ["b"]],
        );
        assert.deepStrictEqual(commandsOf("cat <<<ping"), [["cat"]]);
    });
});

describe("policy pack: the ping a container runs", () => {
    it("finds ping and ping6 as the program, by name, path or wrapper", () => {
        assert.strictEqual(pingRunBy(["ping", "peer"]), "ping");
        assert.strictEqual(pingRunBy(["/bin/ping6", "peer"]), "ping6");
        assert.strictEqual(pingRunBy(["busybox", "ping", "peer"]), "ping");
        assert.strictEqual(pingRunBy(["env", "-i", "A=1", "ping", "peer"]), "ping");
        assert.strictEqual(pingRunBy(["nohup", "ping6", "peer"]), "ping6");
    });

    it("does not take an argument, a URL or a lookup for the program", () => {
        assert.strictEqual(pingRunBy(["redis-cli", "-h", "r", "ping"]), undefined);
        assert.strictEqual(pingRunBy(["curl", "-f", "http://api:8080/ping"]), undefined);
        assert.strictEqual(pingRunBy(["pinger", "peer"]), undefined);
        assert.strictEqual(pingRunBy(["sh", "-c", "command -v ping"]), undefined);
        assert.strictEqual(pingRunBy(["sh", "-c", "type ping; which ping6"]), undefined);
        assert.strictEqual(pingRunBy([]), undefined);
    });

    it("reads the script of sh, bash, ash and dash -c, after their options", () => {
        for (const shell of ["sh", "bash", "/bin/ash", "dash"]) {
            assert.strictEqual(pingRunBy([shell, "-c", "ping peer"]), "ping", shell);
        }
        assert.strictEqual(pingRunBy(["bash", "-xc", "ping peer"]), "ping");
        assert.strictEqual(pingRunBy(["sh", "-e", "-o", "pipefail", "-c", "ping x"]), "ping");
        assert.strictEqual(pingRunBy(["sh", "-c", "--", "ping6 x"]), "ping6");
        assert.strictEqual(pingRunBy(["bash", "--norc", "-c", "ping x", "name"]), "ping");
    });

    it("does not read a shell's script file or a script given without -c", () => {
        assert.strictEqual(pingRunBy(["sh", "ping.sh"]), undefined);
        assert.strictEqual(pingRunBy(["sh", "-e", "ping"]), undefined);
        assert.strictEqual(pingRunBy(["sh", "-c"]), undefined);
        assert.strictEqual(pingRunBy(["python3", "-c", "ping x"]), undefined);
    });

    it("reads shells that a script runs, a few levels deep", () => {
        assert.strictEqual(pingRunBy(["sh", "-c", `bash -c "sh -c 'ping x'"`]), "ping");
        assert.strictEqual(pingRunBy(["sh", "-c", `bash -c "echo 'ping x'"`]), undefined);
    });
});
